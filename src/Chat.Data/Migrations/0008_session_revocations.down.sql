DROP TABLE user_token_revocations;
DROP TABLE revoked_tokens;
