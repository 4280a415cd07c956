-- Undoes 20261127160000_access_control: users, sessions, API keys, the audit log and batches' owners and approvals.
DROP TRIGGER IF EXISTS audit_event_append_only ON "public"."audit_event";
DROP TRIGGER IF EXISTS audit_event_never_truncated ON "public"."audit_event";
DROP FUNCTION IF EXISTS audit_event_append_only();

DROP TABLE "public"."user_session";
DROP TABLE "public"."app_user";
DROP TABLE "public"."api_key";
DROP TABLE "public"."audit_event";

DROP INDEX "public"."batch_partner_created_at_id_idx";
UPDATE "public"."batch" SET "staging_key" = ("staging_key"::jsonb)->>1 WHERE "staging_key" IS NOT NULL;
ALTER TABLE "public"."batch" DROP COLUMN "approval_required",
DROP COLUMN "approved_at",
DROP COLUMN "approved_by",
DROP COLUMN "approved_by_id",
DROP COLUMN "partner",
DROP COLUMN "staged_by",
DROP COLUMN "staged_by_id";

DROP TYPE "public"."AuditOutcome";
DROP TYPE "public"."PrincipalKind";
DROP TYPE "public"."Role";
