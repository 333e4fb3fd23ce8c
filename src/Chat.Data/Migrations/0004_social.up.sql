-- The social graph around chats: blocks (seed 001), contacts (003), message requests (004), and
-- the activity feed (002). Plus the index retention needs on messages.

-- A block stops the blocked user from sending in the direct chat with the blocker, from creating
-- that chat, and from sending the blocker a contact or message request.
CREATE TABLE user_blocks (
    blocker_id uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),

    PRIMARY KEY (blocker_id, blocked_id),
    CONSTRAINT user_blocks_blocked_id_check CHECK (blocked_id <> blocker_id)
);

-- Is-blocked (either direction) and the send check are primary-key lookups. The blocker's list,
-- newest first; and deleting a user finds the blocks against them.
CREATE INDEX user_blocks_list_idx ON user_blocks (blocker_id, created_at DESC, blocked_id DESC);
CREATE INDEX user_blocks_blocked_id_idx ON user_blocks (blocked_id);

-- Both directions of a relationship are stored (owner -> contact and contact -> owner) and written
-- by one statement, so each side lists its contacts with one index range and keeps its own alias.
CREATE TABLE contacts (
    owner_id     uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_id   uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       text         NOT NULL DEFAULT 'pending',
    -- Who sent the request: one of the pair, so no foreign key of its own.
    requested_by uuid         NOT NULL,
    -- The owner's own name for the contact.
    alias        varchar(100) NULL,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    accepted_at  timestamptz  NULL,

    PRIMARY KEY (owner_id, contact_id),
    CONSTRAINT contacts_contact_id_check CHECK (contact_id <> owner_id),
    CONSTRAINT contacts_status_check CHECK (status IN ('pending', 'accepted')),
    CONSTRAINT contacts_requested_by_check CHECK (requested_by IN (owner_id, contact_id)),
    CONSTRAINT contacts_accepted_at_check CHECK ((status = 'accepted') = (accepted_at IS NOT NULL)),
    CONSTRAINT contacts_alias_check CHECK (btrim(alias) <> '')
);

-- A user's contacts of one status, newest first; deleting a user finds the rows that name them.
CREATE INDEX contacts_list_idx ON contacts (owner_id, status, created_at DESC, contact_id DESC);
CREATE INDEX contacts_contact_id_idx ON contacts (contact_id);

-- A non-contact asks to chat; accepting creates (or reuses) the pair's direct chat.
CREATE TABLE message_requests (
    id           uuid        PRIMARY KEY,
    requester_id uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_id uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The direct chat, set when the request is accepted.
    chat_id      uuid        NULL REFERENCES chats (id) ON DELETE SET NULL,
    status       text        NOT NULL DEFAULT 'pending',
    created_at   timestamptz NOT NULL DEFAULT now(),
    responded_at timestamptz NULL,

    -- One request per requester and recipient, ever: asking again returns it (a declined request stays declined).
    CONSTRAINT message_requests_recipient_id_key UNIQUE (requester_id, recipient_id),
    CONSTRAINT message_requests_recipient_id_check CHECK (recipient_id <> requester_id),
    CONSTRAINT message_requests_status_check CHECK (status IN ('pending', 'accepted', 'declined')),
    CONSTRAINT message_requests_responded_at_check CHECK ((status = 'pending') = (responded_at IS NULL)),
    CONSTRAINT message_requests_chat_id_check CHECK (chat_id IS NULL OR status = 'accepted')
);

-- At most one open (pending or accepted) request between two users, whichever way it goes, so two
-- users asking each other at once end up with one request.
CREATE UNIQUE INDEX message_requests_pair_key ON message_requests (least(requester_id, recipient_id), greatest(requester_id, recipient_id))
    WHERE status <> 'declined';
-- A recipient's requests, newest first; deleting a user or a chat finds the rows that name them.
CREATE INDEX message_requests_recipient_idx ON message_requests (recipient_id, created_at DESC, id DESC);
CREATE INDEX message_requests_chat_id_idx ON message_requests (chat_id) WHERE chat_id IS NOT NULL;

-- What happened that a user should know about (assigned, mentioned, invited), about a business
-- object (entity_type, entity_id), a chat, or both.
CREATE TABLE activity_feed (
    id          uuid          PRIMARY KEY,
    -- The recipient.
    user_id     uuid          NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    actor_id    uuid          NULL REFERENCES users (id) ON DELETE SET NULL,
    action_type varchar(100)  NOT NULL,
    entity_type varchar(100)  NULL,
    entity_id   varchar(200)  NULL,
    chat_id     uuid          NULL REFERENCES chats (id) ON DELETE CASCADE,
    message_id  uuid          NULL REFERENCES messages (id) ON DELETE CASCADE,
    title       varchar(255)  NULL,
    description varchar(2000) NOT NULL,
    read_at     timestamptz   NULL,
    metadata    jsonb         NULL,
    occurred_at timestamptz   NOT NULL DEFAULT now(),

    CONSTRAINT activity_feed_action_type_check CHECK (btrim(action_type) <> ''),
    CONSTRAINT activity_feed_description_check CHECK (btrim(description) <> ''),
    CONSTRAINT activity_feed_entity_id_check CHECK ((entity_type IS NULL) = (entity_id IS NULL)),
    -- Every activity points somewhere: a business object or a chat (seed 002).
    CONSTRAINT activity_feed_chat_id_check CHECK (entity_type IS NOT NULL OR chat_id IS NOT NULL),
    CONSTRAINT activity_feed_message_id_check CHECK (message_id IS NULL OR chat_id IS NOT NULL),
    CONSTRAINT activity_feed_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
);

-- A user's feed and their unread items, newest first; retention by age; deleting a chat, a
-- message or an actor finds the rows that name them.
CREATE INDEX activity_feed_user_idx ON activity_feed (user_id, occurred_at DESC, id DESC);
CREATE INDEX activity_feed_unread_idx ON activity_feed (user_id, occurred_at DESC, id DESC) WHERE read_at IS NULL;
CREATE INDEX activity_feed_occurred_at_idx ON activity_feed (occurred_at);
CREATE INDEX activity_feed_chat_id_idx ON activity_feed (chat_id) WHERE chat_id IS NOT NULL;
CREATE INDEX activity_feed_message_id_idx ON activity_feed (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX activity_feed_actor_id_idx ON activity_feed (actor_id) WHERE actor_id IS NOT NULL;

-- Retention: messages deleted for everyone, oldest deletion first.
CREATE INDEX messages_purge_idx ON messages (deleted_at) WHERE deleted_at IS NOT NULL;
