-- Written by hand (Prisma does not model triggers): batch.updated_at is the time of the batch's
-- latest write (clock_timestamp()), not the start of the transaction that wrote it (now()). A
-- runner's transaction can last hundreds of milliseconds on a busy machine; an updatedAt from its
-- start made every event look that much older than it was. The trigger of
-- 20261127190000_event_sequence stamps it on every update, so no statement has to.
CREATE OR REPLACE FUNCTION batch_event_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  current_tx bigint := pg_current_xact_id()::text::bigint;
BEGIN
  IF OLD.event_sequence_tx IS DISTINCT FROM current_tx THEN
    NEW.event_sequence_tx := current_tx;
    NEW.event_sequence_from := OLD.event_sequence + 1;
    IF NEW.event_sequence = OLD.event_sequence THEN
      NEW.event_sequence := OLD.event_sequence + 1;
    END IF;
  END IF;
  NEW.updated_at := clock_timestamp();
  RETURN NEW;
END
$$;
