-- Refused calls are audited per run (access/refusal_audit.h): one line may stand for several
-- refusals of the same caller address, key prefix and method within a window.
ALTER TABLE audit_log
  ADD COLUMN call_count     integer NOT NULL DEFAULT 1 CHECK (call_count >= 1),
  ADD COLUMN client_address text;
