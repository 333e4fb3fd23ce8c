-- Users: the people who chat. The runner sets search_path to the configured schema.
CREATE TABLE users (
    id            uuid         PRIMARY KEY,
    external_id   text         NULL,
    phone         varchar(20)  NULL,
    username      varchar(50)  NULL,
    password_hash varchar(255) NULL,
    display_name  varchar(100) NOT NULL,
    avatar        varchar(500) NULL,
    about         varchar(200) NOT NULL DEFAULT '',
    presence      text         NOT NULL DEFAULT 'offline',
    last_seen_at  timestamptz  NULL,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT users_external_id_key UNIQUE (external_id),
    CONSTRAINT users_phone_key UNIQUE (phone),
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_external_id_check CHECK (length(external_id) BETWEEN 1 AND 200),
    CONSTRAINT users_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    CONSTRAINT users_username_check CHECK (username ~ '^[a-zA-Z0-9_]{3,50}$'),
    CONSTRAINT users_display_name_check CHECK (btrim(display_name) <> ''),
    CONSTRAINT users_presence_check CHECK (presence IN ('online', 'away', 'offline')),
    CONSTRAINT users_identifier_check CHECK (num_nonnulls(phone, username, external_id) >= 1)
);

-- Phone, username and external id lookups use their unique indexes.
CREATE INDEX users_last_seen_at_idx ON users (last_seen_at DESC);
