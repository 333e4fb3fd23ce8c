-- Chats and their members. A chat is direct (two users), a group, or a topic (a chat inside a
-- chat, or one linked to a business object). Counters on chats are kept exact here and by the
-- library's statements, so lists never count rows.
CREATE TABLE chats (
    id              uuid          PRIMARY KEY,
    type            text          NOT NULL,
    parent_chat_id  uuid          NULL REFERENCES chats (id) ON DELETE CASCADE,
    name            varchar(100)  NULL,
    slug            varchar(100)  NULL,
    description     varchar(1000) NULL,
    icon            varchar(500)  NULL,
    created_by      uuid          NULL REFERENCES users (id) ON DELETE SET NULL,
    -- least(a, b) || ':' || greatest(a, b): one direct chat per pair of users.
    direct_key      text          NULL,
    entity_type     varchar(100)  NULL,
    entity_id       varchar(200)  NULL,
    is_private      boolean       NOT NULL DEFAULT false,
    archived_at     timestamptz   NULL,
    metadata        jsonb         NULL,
    -- The per-chat message sequence: the last seq handed out, under this row's lock.
    last_seq        bigint        NOT NULL DEFAULT 0,
    -- No foreign key: messages reference chats, and the library keeps this exact.
    last_message_id uuid          NULL,
    last_message_at timestamptz   NULL,
    message_count   bigint        NOT NULL DEFAULT 0,
    member_count    integer       NOT NULL DEFAULT 0,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    deleted_at      timestamptz   NULL,

    CONSTRAINT chats_slug_key UNIQUE (slug),
    CONSTRAINT chats_direct_key_key UNIQUE (direct_key),
    CONSTRAINT chats_type_check CHECK (type IN ('direct', 'group', 'topic')),
    CONSTRAINT chats_name_check CHECK (type = 'direct' OR btrim(name) <> ''),
    CONSTRAINT chats_direct_key_check CHECK ((type = 'direct') = (direct_key IS NOT NULL)),
    CONSTRAINT chats_parent_chat_id_check CHECK (parent_chat_id IS NULL OR type = 'topic'),
    CONSTRAINT chats_entity_check CHECK ((entity_type IS NULL) = (entity_id IS NULL) AND (entity_type IS NULL OR type <> 'direct')),
    CONSTRAINT chats_topic_check CHECK (type <> 'topic' OR parent_chat_id IS NOT NULL OR entity_type IS NOT NULL),
    CONSTRAINT chats_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT chats_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT chats_counts_check CHECK (last_seq >= 0 AND message_count >= 0 AND member_count >= 0)
);

CREATE INDEX chats_parent_chat_id_idx ON chats (parent_chat_id) WHERE parent_chat_id IS NOT NULL;
CREATE INDEX chats_entity_idx ON chats (entity_type, entity_id) WHERE entity_type IS NOT NULL;
CREATE INDEX chats_created_by_idx ON chats (created_by) WHERE created_by IS NOT NULL;
-- Retention: groups idle the longest, and soft-deleted chats to purge.
CREATE INDEX chats_idle_idx ON chats ((coalesce(last_message_at, created_at))) WHERE type = 'group' AND archived_at IS NULL AND deleted_at IS NULL;

CREATE TABLE chat_members (
    chat_id              uuid        NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    user_id              uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role                 text        NOT NULL DEFAULT 'member',
    joined_at            timestamptz NOT NULL DEFAULT now(),
    left_at              timestamptz NULL,
    removed_by           uuid        NULL REFERENCES users (id) ON DELETE SET NULL,
    -- Read state is a watermark per member: unread = chats.last_seq - last_read_seq.
    last_read_seq        bigint      NOT NULL DEFAULT 0,
    last_read_at         timestamptz NULL,
    last_delivered_seq   bigint      NOT NULL DEFAULT 0,
    last_delivered_at    timestamptz NULL,
    unread_mention_count integer     NOT NULL DEFAULT 0,
    muted_until          timestamptz NULL,
    pinned_at            timestamptz NULL,
    notification_level   text        NOT NULL DEFAULT 'all',
    -- History up to this seq is hidden for this member ("delete chat for me").
    cleared_seq          bigint      NOT NULL DEFAULT 0,
    -- Hidden from this member's chat list until a message newer than this arrives.
    hidden_at            timestamptz NULL,
    metadata             jsonb       NULL,

    PRIMARY KEY (chat_id, user_id),
    CONSTRAINT chat_members_role_check CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    CONSTRAINT chat_members_notification_level_check CHECK (notification_level IN ('all', 'mentions', 'none')),
    CONSTRAINT chat_members_seq_check CHECK (last_read_seq >= 0 AND last_delivered_seq >= 0 AND cleared_seq >= 0 AND unread_mention_count >= 0),
    CONSTRAINT chat_members_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
);

-- A user's chat list, and the members of a chat by join order (ownership hand-over, paging).
CREATE INDEX chat_members_user_idx ON chat_members (user_id) INCLUDE (chat_id) WHERE left_at IS NULL;
CREATE INDEX chat_members_chat_joined_idx ON chat_members (chat_id, joined_at, user_id) WHERE left_at IS NULL;

-- Membership rules the database can hold whoever writes: a direct chat has exactly its two
-- users, and a topic's members are active members of its parent chat.
CREATE FUNCTION chat_members_check_rules() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    chat chats%ROWTYPE;
BEGIN
    IF NEW.left_at IS NOT NULL THEN
        RETURN NEW;
    END IF;
    SELECT * INTO chat FROM chats WHERE id = NEW.chat_id;
    IF chat.type = 'direct' AND NEW.user_id::text NOT IN (split_part(chat.direct_key, ':', 1), split_part(chat.direct_key, ':', 2)) THEN
        RAISE EXCEPTION 'a direct chat has exactly its two users'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'chat_members_user_id_check', TABLE = 'chat_members';
    END IF;
    IF chat.parent_chat_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM chat_members p
        WHERE p.chat_id = chat.parent_chat_id AND p.user_id = NEW.user_id AND p.left_at IS NULL) THEN
        RAISE EXCEPTION 'topic members must be active members of the parent chat'
            USING ERRCODE = 'CD001', CONSTRAINT = 'chat_members_parent_member', TABLE = 'chat_members';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER chat_members_check_rules
    BEFORE INSERT OR UPDATE OF left_at, user_id, chat_id ON chat_members
    FOR EACH ROW EXECUTE FUNCTION chat_members_check_rules();

-- member_count counts active members, whichever statement adds, removes or deletes them.
CREATE FUNCTION chat_members_count() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.left_at IS NULL AND (TG_OP = 'INSERT' OR OLD.left_at IS NOT NULL) THEN
        UPDATE chats SET member_count = member_count + 1 WHERE id = NEW.chat_id;
    ELSIF TG_OP IN ('UPDATE', 'DELETE') AND OLD.left_at IS NULL AND (TG_OP = 'DELETE' OR NEW.left_at IS NOT NULL) THEN
        UPDATE chats SET member_count = member_count - 1 WHERE id = OLD.chat_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER chat_members_count
    AFTER INSERT OR UPDATE OF left_at OR DELETE ON chat_members
    FOR EACH ROW EXECUTE FUNCTION chat_members_count();

-- Leaving (or being removed from) a chat leaves its topics too.
CREATE FUNCTION chat_members_leave_topics() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE chat_members m
    SET left_at = NEW.left_at, removed_by = NEW.removed_by
    FROM chats t
    WHERE t.parent_chat_id = NEW.chat_id AND m.chat_id = t.id AND m.user_id = NEW.user_id AND m.left_at IS NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER chat_members_leave_topics
    AFTER UPDATE OF left_at ON chat_members
    FOR EACH ROW WHEN (OLD.left_at IS NULL AND NEW.left_at IS NOT NULL)
    EXECUTE FUNCTION chat_members_leave_topics();
