-- mpforge on PostgreSQL, schema 1. Every table carries the agency (sharding by agency stays
-- possible: no transaction spans two agencies). Ids are ULIDs as 16-byte bytea; records are
-- the same serde_json bytes sled stores (jsonb would reorder keys), with the columns a query
-- needs beside them.
-- Installation-wide: the secrets every node shares (the anti-CSRF key).
CREATE TABLE meta (
    key text PRIMARY KEY,
    value bytea NOT NULL
);

CREATE TABLE agencies (
    id bytea PRIMARY KEY,
    doc bytea NOT NULL
);

CREATE TABLE users (
    agency_id bytea NOT NULL,
    id bytea PRIMARY KEY,
    -- Lower-case; unique across the installation (a login names one user everywhere).
    login text NOT NULL UNIQUE,
    doc bytea NOT NULL
);

CREATE TABLE merchants (
    agency_id bytea NOT NULL,
    id bytea PRIMARY KEY,
    doc bytea NOT NULL
);
CREATE INDEX merchants_by_agency ON merchants (agency_id, id);

CREATE TABLE sites (
    agency_id bytea NOT NULL,
    merchant_id bytea NOT NULL,
    id bytea PRIMARY KEY,
    doc bytea NOT NULL
);
CREATE INDEX sites_by_merchant ON sites (merchant_id, id);

CREATE TABLE drafts (
    agency_id bytea NOT NULL,
    site_id bytea PRIMARY KEY,
    version bigint NOT NULL,
    doc bytea NOT NULL
);

CREATE TABLE sessions (
    agency_id bytea NOT NULL,
    -- SHA-256 of the token.
    key bytea PRIMARY KEY,
    user_id bytea NOT NULL,
    doc bytea NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Keyed by login name or client address, which name no agency before a sign-in succeeds.
CREATE TABLE throttle_attempts (
    key text NOT NULL,
    at_ms bigint NOT NULL
);
CREATE INDEX throttle_by_key ON throttle_attempts (key, at_ms);

CREATE TABLE media_owners (
    agency_id bytea NOT NULL,
    merchant_id bytea NOT NULL,
    hash text NOT NULL,
    bytes bigint NOT NULL,
    uploaded_at bigint NOT NULL,
    PRIMARY KEY (merchant_id, hash)
);
CREATE INDEX media_owners_by_hash ON media_owners (hash);

CREATE TABLE jobs (
    agency_id bytea NOT NULL,
    id bytea PRIMARY KEY,
    state text NOT NULL,
    run_at_ms bigint NOT NULL,
    lease_until_ms bigint NOT NULL,
    worker text,
    dedupe_key text,
    doc bytea NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at_ms) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_by_agency ON jobs (agency_id, id);
CREATE UNIQUE INDEX jobs_dedupe ON jobs (agency_id, dedupe_key)
    WHERE state IN ('queued', 'running') AND dedupe_key IS NOT NULL;

CREATE TABLE audit (
    agency_id bytea NOT NULL,
    id bytea NOT NULL,
    doc bytea NOT NULL,
    PRIMARY KEY (agency_id, id)
);
