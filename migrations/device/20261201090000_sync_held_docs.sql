-- Documents whose push the server refused as this device's fault (a 4xx naming the
-- document: content it cannot read, a fact that contradicts the pharmacy's records). Their
-- changes are held back, never pushed again in a loop, while the rest of the outbox keeps
-- syncing; each row is the alert `pharmactl sync status` shows. Local to this device, never
-- synced, not a projection. The held changes themselves stay in doc_changes: nothing is lost.

CREATE TABLE sync_held_docs (
    doc_id       TEXT PRIMARY KEY,
    -- The server's refusal: its stable code and its French message.
    code         TEXT NOT NULL,
    message      TEXT NOT NULL,
    held_at      TEXT NOT NULL,
    -- The software version that held it: a newer one tries again by itself.
    app_version  TEXT NOT NULL,
    -- 1: push the document's whole local history again at the next sync (asked by
    -- `pharmactl sync --retry-held`, or an upgrade).
    retry        INTEGER NOT NULL DEFAULT 0 CHECK (retry IN (0, 1))
) STRICT;
