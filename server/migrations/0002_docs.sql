-- Small JSON documents of the features built on the store contract (WeChat settings and
-- tokens, publishing state, versions); `rev` makes compare-and-swap writes possible.
CREATE TABLE docs (
    kind text NOT NULL,
    key text NOT NULL,
    agency_id bytea NOT NULL,
    rev bigint NOT NULL,
    doc bytea NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX docs_by_agency ON docs (agency_id, kind);
