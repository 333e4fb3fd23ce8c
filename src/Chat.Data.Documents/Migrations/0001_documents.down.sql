DROP TABLE document_entities;
DROP TABLE entities;
DROP TABLE document_history;
DROP TABLE document_blocks;
DROP TABLE document_tags;
DROP TABLE document_signers;
DROP TABLE document_collaborators;
DROP TABLE documents;
