import Link from "next/link";

export default function NotFound() {
  return (
    <section className="page-intro">
      <h1>Page not found</h1>
      <p className="page-description">
        There is nothing at this address. <Link href="/">Go to the batches</Link>.
      </p>
    </section>
  );
}
