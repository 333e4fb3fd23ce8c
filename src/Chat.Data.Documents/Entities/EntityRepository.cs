using System.Buffers.Text;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Chat.Data.Documents;
using Chat.Data.Internal;
using static Chat.Data.Documents.DocumentWrite;

namespace Chat.Data.Entities;

internal sealed class EntityRepository(ChatDatabase db) : IEntityRepository
{
    // Every query that returns entities selects these columns in this order (from a row aliased e), for Read.
    private const string Columns = "e.id, e.name, e.type, e.owner_id, e.contact_user_id, e.created_at";

    private const int After = 6;

    // Entity lists go by name, case-insensitively, then id; a page continues after the last (name, id).
    private const string ByName =
        "(@afterId IS NULL OR (lower(e.name), e.id) > (lower(@afterName), @afterId)) ORDER BY lower(e.name), e.id LIMIT @take";

    private static Entity Read(DbDataReader r) => new(
        Id: r.GetGuid(0),
        Name: r.GetString(1),
        Type: r.IsDBNull(2) ? null : r.GetString(2),
        OwnerId: r.GetGuid(3),
        ContactUserId: r.IsDBNull(4) ? null : r.GetGuid(4),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(5));

    public Task<Entity> CreateAsync(NewEntity entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        Check.NotEmpty(entity.OwnerId, nameof(NewEntity.OwnerId));
        var row = new
        {
            Id = Guid.CreateVersion7(),
            Name = Name(entity.Name, nameof(NewEntity.Name)),
            Type = entity.Type is null ? null : Type(entity.Type, nameof(NewEntity.Type)),
            entity.OwnerId,
            ContactUserId = Check.OptionalId(entity.ContactUserId, nameof(NewEntity.ContactUserId)),
        };
        // A missing owner or contact user breaks entities_owner_id_fkey / entities_contact_user_id_fkey,
        // which PostgresErrors names OwnerId / ContactUserId.
        return db.QuerySingleOrDefaultAsync(
            $$"""
            INSERT INTO {schema}.entities AS e (id, name, type, owner_id, contact_user_id)
            VALUES (@Id, @Name, @Type, @OwnerId, @ContactUserId)
            RETURNING {{Columns}}
            """,
            row, Read, cancellationToken)!;
    }

    public Task<Entity?> FindByIdAsync(Guid entityId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(entityId, nameof(entityId));
        return db.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.entities e WHERE e.id = @entityId""",
            new { entityId }, Read, cancellationToken);
    }

    public Task<Page<Entity>> ListByOwnerAsync(Guid ownerId, string? type = null, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(ownerId, nameof(ownerId));
        if (type is not null)
            Type(type, nameof(type));
        return ByNameAsync(
            $$"""
            SELECT {{Columns}} FROM {schema}.entities e
            WHERE e.owner_id = @ownerId AND (@type IS NULL OR e.type = @type) AND {{ByName}}
            """,
            (afterName, afterId, take) => new { ownerId, type, afterName, afterId, take }, cursor, limit, cancellationToken);
    }

    public async Task<Page<Entity>> SearchAsync(Guid ownerId, string query, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(ownerId, nameof(ownerId));
        var escaped = LikeEscape(Check.Required(query, nameof(query), 100));
        Check.Limit(limit);
        var after = Cursor.Decode(cursor, 3);
        var row = new
        {
            ownerId,
            prefix = escaped + "%",
            contains = "%" + escaped + "%",
            afterRank = after is null ? (int?)null : (int)Cursor.Int64(after[0]),
            afterName = after is null ? null : NameOf(after[1]),
            afterId = after is null ? (Guid?)null : Cursor.Guid(after[2]),
            take = limit + 1,
        };
        // ILIKE '%q%' is what the trigram index (entities_name_trgm_idx) serves; the rank puts the
        // names that start with the query first.
        var rows = await db.QueryAsync(
            $$"""
            SELECT {{Columns}}, r.rank
            FROM {schema}.entities e
            CROSS JOIN LATERAL (SELECT CASE WHEN e.name ILIKE @prefix THEN 0 ELSE 1 END AS rank) r
            WHERE e.owner_id = @ownerId AND e.name ILIKE @contains
              AND (@afterId IS NULL OR (r.rank, lower(e.name), e.id) > (@afterRank, lower(@afterName), @afterId))
            ORDER BY r.rank, lower(e.name), e.id
            LIMIT @take
            """,
            row, static r => (Entity: Read(r), Rank: r.GetInt32(After)), cancellationToken).ConfigureAwait(false);
        var page = DocumentRows.Cut(rows, limit, h => Cursor.Encode(Cursor.Text(h.Rank), NamePart(h.Entity.Name), Cursor.Text(h.Entity.Id)));
        return new Page<Entity>(page.Items.Select(h => h.Entity).ToList(), page.NextCursor);
    }

    public async Task<bool> LinkAsync(Guid documentId, Guid entityId, Guid actorId, CancellationToken cancellationToken = default)
    {
        var linked = (await db.QueryAfterLockAsync(
            LinkSql, LinkRow(documentId, entityId, actorId),
            static r => (Access: DocumentAccess.Read(r, 0), Linked: r.GetBoolean(DocumentAccess.ColumnCount), EntityFound: r.GetBoolean(DocumentAccess.ColumnCount + 1)),
            cancellationToken).ConfigureAwait(false)).Single();
        if (!linked.Access.Found)
            throw new ReferenceNotFoundException(nameof(documentId));
        if (linked.Linked)
            return true;
        linked.Access.ThrowIfRefused(DocumentRight.Edit);
        return linked.EntityFound ? false : throw new ReferenceNotFoundException(nameof(entityId));
    }

    private static readonly string LinkSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        entity AS (
            SELECT e.id, e.name FROM {schema}.entities e WHERE e.id = @entityId
        ),
        linked AS (
            INSERT INTO {schema}.document_entities AS l (document_id, entity_id)
            SELECT a.document_id, e.id FROM allowed a, entity e
            ON CONFLICT DO NOTHING
            RETURNING l.document_id, l.entity_id
        ),
        {{LogAndTouch("(SELECT l.document_id, l.entity_id, e.name FROM linked l, entity e)", DocumentActions.EntityLinked,
            "jsonb_build_object('entityId', x.entity_id, 'name', x.name)")}}
        SELECT {{AccessColumns}}, EXISTS (SELECT FROM linked), EXISTS (SELECT FROM entity) FROM access a
        """;

    public Task<bool> UnlinkAsync(Guid documentId, Guid entityId, Guid actorId, CancellationToken cancellationToken = default) =>
        DocumentWrite.RemoveAsync(db, UnlinkSql, LinkRow(documentId, entityId, actorId), DocumentRight.Edit, cancellationToken);

    private static readonly string UnlinkSql = $$"""
        {{LockDocument}}
        WITH {{Access}},
        unlinked AS (
            DELETE FROM {schema}.document_entities l USING allowed a
            WHERE l.document_id = a.document_id AND l.entity_id = @entityId
            RETURNING l.document_id, l.entity_id
        ),
        {{LogAndTouch("(SELECT u.document_id, u.entity_id, e.name FROM unlinked u JOIN {schema}.entities e ON e.id = u.entity_id)",
            DocumentActions.EntityUnlinked, "jsonb_build_object('entityId', x.entity_id, 'name', x.name)")}}
        SELECT {{AccessColumns}}, EXISTS (SELECT FROM unlinked) FROM access a
        """;

    private static object LinkRow(Guid documentId, Guid entityId, Guid actorId)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        Check.NotEmpty(entityId, nameof(entityId));
        Check.NotEmpty(actorId, nameof(actorId));
        return new { documentId, entityId, actorId, need = (int)DocumentRight.Edit };
    }

    public Task<Page<Entity>> ListByDocumentAsync(Guid documentId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(documentId, nameof(documentId));
        return ByNameAsync(
            $$"""
            SELECT {{Columns}} FROM {schema}.document_entities l JOIN {schema}.entities e ON e.id = l.entity_id
            WHERE l.document_id = @documentId AND {{ByName}}
            """,
            (afterName, afterId, take) => new { documentId, afterName, afterId, take }, cursor, limit, cancellationToken);
    }

    public Task<Page<Document>> ListDocumentsAsync(Guid entityId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(entityId, nameof(entityId));
        return DocumentRows.NewestFirstAsync(
            db,
            $$"""
            SELECT {{DocumentRows.Columns}} FROM {schema}.document_entities l JOIN {schema}.documents d ON d.id = l.document_id
            WHERE l.entity_id = @entityId AND {{DocumentRows.NewestFirst}}
            """,
            (afterId, take) => new { entityId, afterId, take }, cursor, limit, cancellationToken);
    }

    public async Task<bool> DeleteAsync(Guid entityId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(entityId, nameof(entityId));
        // The links are deleted here rather than by the foreign key's cascade, so each document's
        // history says the entity left it.
        return await db.ExecuteScalarAsync<long>(
            $$"""
            WITH gone AS (
                DELETE FROM {schema}.entities e WHERE e.id = @entityId RETURNING e.id, e.name, e.owner_id
            ), unlinked AS (
                DELETE FROM {schema}.document_entities l USING gone g WHERE l.entity_id = g.id RETURNING l.document_id
            ), logged AS (
                INSERT INTO {schema}.document_history (document_id, user_id, action, details)
                SELECT u.document_id, g.owner_id, '{{DocumentActions.EntityUnlinked}}', jsonb_build_object('entityId', g.id, 'name', g.name)
                FROM unlinked u, gone g
            )
            SELECT count(*) FROM gone
            """,
            new { entityId }, cancellationToken).ConfigureAwait(false) > 0;
    }

    private async Task<Page<Entity>> ByNameAsync(
        string sql, Func<string?, Guid?, int, object> param, string? cursor, int limit, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        Check.Limit(limit);
        var after = Cursor.Decode(cursor, 2);
        var rows = await db.QueryAsync(
            sql, param(after is null ? null : NameOf(after[0]), after is null ? null : Cursor.Guid(after[1]), limit + 1), Read, cancellationToken, operation: operation).ConfigureAwait(false);
        return DocumentRows.Cut(rows, limit, e => Cursor.Encode(NamePart(e.Name), Cursor.Text(e.Id)));
    }

    private static string Name(string? name, string field) => Check.Required(name, field, 100);

    private static string Type(string? type, string field) => Check.Required(type, field, 50);

    // A name may hold the cursor's separator: it travels base64url-encoded inside the cursor.
    private static string NamePart(string name) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(name));

    private static string NameOf(string part)
    {
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(part));
        }
        catch (FormatException)
        {
            throw new ChatDataValidationException("cursor", "not a cursor this list returned.");
        }
    }

    /// <summary>The query as LIKE matches it literally: <c>%</c>, <c>_</c> and the escape character itself escaped.</summary>
    private static string LikeEscape(string query) =>
        query.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
