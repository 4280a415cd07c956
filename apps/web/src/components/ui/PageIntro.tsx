import type { ReactNode } from "react";

interface PageIntroProps {
  title: ReactNode;
  /** A line right under the title (a batch's name). */
  subtitle?: ReactNode;
  description: ReactNode;
  children?: ReactNode;
}

/** The h1 of a page with the short explanation under it. */
export function PageIntro({ title, subtitle, description, children }: PageIntroProps) {
  return (
    <header className="page-intro">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="page-subtitle">{subtitle}</p> : null}
        <p className="page-description">{description}</p>
      </div>
      {children ? <div className="page-intro-aside">{children}</div> : null}
    </header>
  );
}
