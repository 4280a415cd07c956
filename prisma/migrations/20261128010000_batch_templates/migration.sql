-- Batch templates (issue 10): a batch's settings, and optionally its trades' instructions, saved under a name.
CREATE TABLE "batch_template" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "name_pattern" TEXT,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "rows" JSONB,
    "row_count" INTEGER NOT NULL DEFAULT 0,
    "source_batch_uid" TEXT,
    "partner" TEXT,
    "created_by_id" UUID,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "staged_count" INTEGER NOT NULL DEFAULT 0,
    "last_staged_at" TIMESTAMPTZ(3),

    CONSTRAINT "batch_template_pkey" PRIMARY KEY ("id")
);

-- Names are unique per owner whatever their case ("Month end" and "month END" are one name); the staff of
-- no partner are one owner. Prisma does not model expression indexes (see model BatchTemplate). The list
-- reads templates of one owner in name order through it.
CREATE UNIQUE INDEX "batch_template_owner_name_key" ON "batch_template" ((coalesce("partner", '')), lower("name"));
