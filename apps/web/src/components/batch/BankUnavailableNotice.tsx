import { DateTime } from "../ui/DateTime";

/**
 * Said while the bank keeps failing under a running batch: its trades wait for it rather
 * than fail. The batch's live updates clear bankUnavailableSince, and the notice goes.
 */
export function BankUnavailableNotice({ since }: { since: string | null }) {
  if (!since) return null;
  return (
    <p className="notice" role="status">
      <strong>The bank is not answering</strong> since <DateTime value={since} />; trades are waiting and none is failed because of it. They
      continue when it answers.
    </p>
  );
}
