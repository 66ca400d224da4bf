-- Document names have one spelling: `settings`, `catalog`, or `kind/uuid` with the uuid
-- lowercase and hyphenated, as `DocId::parse` now demands. Before it did, a push could
-- name an aggregate `session/{uuid}`, `session/<32 hex>` or `session/urn:uuid:…`, and the
-- append-only change log then held one aggregate under two names.
CREATE FUNCTION pharma_doc_id_is_canonical(doc_id text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN doc_id ~ '^(settings|catalog|(session|order|stock|z|forecast)/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$';

-- From now on nothing else is stored. NOT VALID: rows written before are not checked
-- (changes is append-only, they cannot be rewritten); `pharma-sync-server doc aliases`
-- lists them, and the feed no longer sends their bytes to devices.
ALTER TABLE changes ADD CONSTRAINT changes_doc_id_canonical
    CHECK (pharma_doc_id_is_canonical(doc_id)) NOT VALID;

-- The quarantine keeps a bounded sample per device: counting it must not scan the tenant.
CREATE INDEX quarantine_device ON quarantine (tenant_id, device_id);
