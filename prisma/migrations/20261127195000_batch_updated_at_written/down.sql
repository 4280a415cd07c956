-- Rolls back 20261127195000_batch_updated_at_written: the trigger function as 20261127190000 made it.
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
  RETURN NEW;
END
$$;
