-- Messages, keyed inside their chat by a gap-free sequence number, with edits, per-user hides,
-- attachments and the read marks behind receipts.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE messages (
    id             uuid          PRIMARY KEY,
    chat_id        uuid          NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    seq            bigint        NOT NULL,
    -- Null for system messages and for senders whose account was deleted.
    sender_id      uuid          NULL REFERENCES users (id) ON DELETE SET NULL,
    client_msg_id  varchar(100)  NULL,
    type           text          NOT NULL DEFAULT 'text',
    content        text          NULL,
    metadata       jsonb         NULL,
    reply_to_id    uuid          NULL REFERENCES messages (id) ON DELETE SET NULL,
    thread_root_id uuid          NULL REFERENCES messages (id) ON DELETE CASCADE,
    reply_count    integer       NOT NULL DEFAULT 0,
    last_reply_at  timestamptz   NULL,
    mentions       uuid[]        NOT NULL DEFAULT '{}',
    edited_at      timestamptz   NULL,
    deleted_at     timestamptz   NULL,
    deleted_by     uuid          NULL REFERENCES users (id) ON DELETE SET NULL,
    flagged        boolean       NOT NULL DEFAULT false,
    created_at     timestamptz   NOT NULL DEFAULT now(),
    -- 'simple': no stemming, so it works the same for every language; trigram covers substrings.
    search_vector  tsvector      GENERATED ALWAYS AS (to_tsvector('simple', coalesce(content, ''))) STORED,

    CONSTRAINT messages_seq_key UNIQUE (chat_id, seq),
    CONSTRAINT messages_client_msg_id_key UNIQUE (chat_id, sender_id, client_msg_id),
    CONSTRAINT messages_type_check CHECK (type IN ('text', 'image', 'video', 'audio', 'voice', 'file', 'document_card', 'shared_post', 'code', 'poll', 'system')),
    CONSTRAINT messages_content_check CHECK (char_length(content) <= 10000),
    -- Text needs non-blank content, unless the message was deleted for everyone.
    CONSTRAINT messages_text_content_check CHECK (type <> 'text' OR deleted_at IS NOT NULL OR btrim(content) <> ''),
    CONSTRAINT messages_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT messages_seq_check CHECK (seq > 0),
    CONSTRAINT messages_thread_check CHECK (thread_root_id <> id),
    CONSTRAINT messages_deleted_check CHECK (deleted_at IS NOT NULL OR deleted_by IS NULL)
);

-- History pages are (chat_id, seq) range scans on messages_seq_key.
CREATE INDEX messages_thread_idx ON messages (thread_root_id, seq) WHERE thread_root_id IS NOT NULL;
CREATE INDEX messages_reply_to_idx ON messages (reply_to_id) WHERE reply_to_id IS NOT NULL;
CREATE INDEX messages_sender_idx ON messages (sender_id) WHERE sender_id IS NOT NULL;
CREATE INDEX messages_mentions_idx ON messages USING gin (mentions) WHERE mentions <> '{}';
-- Unread = last_seq - last_read_seq, less the deleted messages after the mark: counted here.
CREATE INDEX messages_deleted_idx ON messages (chat_id, seq) WHERE deleted_at IS NOT NULL;
CREATE INDEX messages_search_idx ON messages USING gin (search_vector) WHERE deleted_at IS NULL;
CREATE INDEX messages_content_trgm_idx ON messages USING gin (content gin_trgm_ops) WHERE deleted_at IS NULL;

CREATE TABLE message_edits (
    message_id uuid        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    version    integer     NOT NULL,
    content    text        NULL,
    metadata   jsonb       NULL,
    edited_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, version)
);

-- "Delete for me".
CREATE TABLE message_hides (
    message_id uuid        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hidden_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, message_id)
);

CREATE INDEX message_hides_message_idx ON message_hides (message_id);

CREATE TABLE message_attachments (
    id            uuid         PRIMARY KEY,
    message_id    uuid         NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    chat_id       uuid         NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    kind          text         NOT NULL,
    file_name     varchar(255) NULL,
    mime_type     varchar(255) NULL,
    size_bytes    bigint       NULL,
    storage_key   varchar(1000) NULL,
    url           varchar(2000) NULL,
    thumbnail_key varchar(1000) NULL,
    thumbnail_url varchar(2000) NULL,
    width         integer      NULL,
    height        integer      NULL,
    duration_ms   integer      NULL,
    sort_order    integer      NOT NULL DEFAULT 0,
    scan_status   text         NOT NULL DEFAULT 'pending',
    metadata      jsonb        NULL,
    created_at    timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT message_attachments_kind_check CHECK (kind IN ('image', 'video', 'audio', 'voice', 'file')),
    CONSTRAINT message_attachments_scan_status_check CHECK (scan_status IN ('pending', 'clean', 'infected', 'error')),
    CONSTRAINT message_attachments_size_bytes_check CHECK (size_bytes >= 0),
    CONSTRAINT message_attachments_dimensions_check CHECK (width >= 0 AND height >= 0 AND duration_ms >= 0),
    CONSTRAINT message_attachments_location_check CHECK (storage_key IS NOT NULL OR url IS NOT NULL),
    CONSTRAINT message_attachments_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE INDEX message_attachments_message_idx ON message_attachments (message_id, sort_order);
-- The chat gallery: newest media of a kind.
CREATE INDEX message_attachments_gallery_idx ON message_attachments (chat_id, kind, created_at DESC, id DESC);
CREATE INDEX message_attachments_pending_scan_idx ON message_attachments (created_at) WHERE scan_status = 'pending';

-- One row per mark-as-delivered / mark-as-read call that moved a watermark, not per message:
-- when each member got to each message comes from the first mark that covers it.
CREATE TABLE read_marks (
    chat_id   uuid        NOT NULL,
    user_id   uuid        NOT NULL,
    kind      text        NOT NULL,
    up_to_seq bigint      NOT NULL,
    at        timestamptz NOT NULL DEFAULT now(),

    PRIMARY KEY (chat_id, user_id, kind, up_to_seq),
    FOREIGN KEY (chat_id, user_id) REFERENCES chat_members (chat_id, user_id) ON DELETE CASCADE,
    CONSTRAINT read_marks_kind_check CHECK (kind IN ('delivered', 'read'))
);

CREATE INDEX read_marks_at_idx ON read_marks (at);
