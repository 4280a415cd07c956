-- Rolls back 20261128010000_batch_templates.
DROP TABLE "batch_template";
