-- Search in one chat either finds the words' messages in every chat through the GIN indexes and keeps
-- the chat's, or reads the chat's messages; the planner picks by how many messages it expects the
-- words to match. The default statistics count no word in fewer than about 1 message in 2,000 (for
-- messages of about ten words) and guess such a word from the least common word they do count, which
-- in a small vocabulary is common: in a 2,000,000-message group a word in 2,000 messages then also
-- read the group's whole (chat_id, seq) index. A sample ten times larger counts words down to about
-- 1 message in 20,000. It makes ANALYZE of messages read 300,000 rows instead of 30,000.
ALTER TABLE messages ALTER COLUMN search_vector SET STATISTICS 1000;
ANALYZE messages (search_vector);
