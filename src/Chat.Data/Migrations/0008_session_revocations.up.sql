-- The record of revoked sessions, so a revocation outlives the loss of Redis (a restart without
-- persistence, a failover to an empty replica, eviction). Redis answers checks; on a miss it is
-- refilled from here. Rows are kept until every token they cover has expired, then purged a few at a
-- time by later revocations.

-- One revoked token, by a SHA-256 of its issuer and id (the id itself is never stored).
CREATE TABLE revoked_tokens (
    token_hash bytea       PRIMARY KEY,
    expires_at timestamptz NOT NULL,
    CONSTRAINT revoked_tokens_hash_check CHECK (length(token_hash) = 32)
);
CREATE INDEX revoked_tokens_expiry_idx ON revoked_tokens (expires_at);

-- Every token of a user issued before a time. user_id is the token's subject, which need not be a
-- row of users, so there is no foreign key.
CREATE TABLE user_token_revocations (
    user_id       uuid        PRIMARY KEY,
    issued_before timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX user_token_revocations_expiry_idx ON user_token_revocations (expires_at);
