namespace Chat.Data.Documents;

/// <summary>The kinds of block a document is made of. Stored in snake_case: <c>BulletList</c> is <c>bullet_list</c>.</summary>
public enum BlockType
{
    /// <summary>Plain text.</summary>
    Paragraph,

    /// <summary>Top-level heading.</summary>
    Heading1,

    /// <summary>Second-level heading.</summary>
    Heading2,

    /// <summary>Third-level heading.</summary>
    Heading3,

    /// <summary>An item of a bulleted list.</summary>
    BulletList,

    /// <summary>An item of a numbered list.</summary>
    NumberedList,

    /// <summary>A to-do item with <see cref="DocumentBlock.Checked"/>.</summary>
    Checklist,

    /// <summary>A table with <see cref="DocumentBlock.Rows"/> and <see cref="DocumentBlock.Columns"/>.</summary>
    Table,

    /// <summary>Highlighted text with an <see cref="DocumentBlock.Emoji"/>.</summary>
    Callout,

    /// <summary>Source code in a <see cref="DocumentBlock.Language"/>.</summary>
    Code,

    /// <summary>A collapsible block whose children are blocks under it.</summary>
    Toggle,

    /// <summary>A horizontal rule.</summary>
    Divider,

    /// <summary>A quotation.</summary>
    Quote,
}

/// <summary>
/// One block of a document. Fields a type does not use are null: <see cref="Checked"/> is for
/// checklists, <see cref="Rows"/> and <see cref="Columns"/> for tables, <see cref="Language"/> for
/// code, <see cref="Emoji"/> for callouts.
/// </summary>
/// <param name="Id">UUID v7.</param>
/// <param name="DocumentId">The document it belongs to.</param>
/// <param name="ParentBlockId">The block it sits under (a toggle's children, nested list items); null at the top level.</param>
/// <param name="Type">What kind of block it is.</param>
/// <param name="Content">Its text, at most 100,000 characters.</param>
/// <param name="Checked">A checklist item's state.</param>
/// <param name="Rows">A table's rows: a JSON array.</param>
/// <param name="Columns">A table's columns: a JSON array.</param>
/// <param name="Language">A code block's language, for example <c>sql</c>.</param>
/// <param name="Emoji">A callout's emoji.</param>
/// <param name="Color">A colour name or code the host understands.</param>
/// <param name="SortOrder">Its place among its siblings (ascending; ties go by id).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When its content last changed.</param>
public sealed record DocumentBlock(
    Guid Id,
    Guid DocumentId,
    Guid? ParentBlockId,
    BlockType Type,
    string? Content,
    bool? Checked,
    string? Rows,
    string? Columns,
    string? Language,
    string? Emoji,
    string? Color,
    int SortOrder,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A block with the blocks under it, in order: one node of a document's tree.</summary>
/// <param name="Block">The block.</param>
/// <param name="Children">The blocks whose parent it is, in order.</param>
public sealed record DocumentBlockNode(DocumentBlock Block, IReadOnlyList<DocumentBlockNode> Children);

/// <summary>A block to add to a document.</summary>
public sealed record NewBlock
{
    /// <summary>The document to add it to.</summary>
    public required Guid DocumentId { get; init; }

    /// <summary>What kind of block it is.</summary>
    public required BlockType Type { get; init; }

    /// <summary>The block to put it under (a block of the same document); null for the top level.</summary>
    public Guid? ParentBlockId { get; init; }

    /// <summary>Its index among its siblings, from 0; null or past the end puts it last.</summary>
    public int? Position { get; init; }

    /// <summary>Its text, at most 100,000 characters.</summary>
    public string? Content { get; init; }

    /// <summary>Checklists only; a checklist item starts unchecked unless this says otherwise.</summary>
    public bool? Checked { get; init; }

    /// <summary>Tables only: a JSON array of rows.</summary>
    public string? Rows { get; init; }

    /// <summary>Tables only: a JSON array of columns.</summary>
    public string? Columns { get; init; }

    /// <summary>Code only: the language, at most 30 characters.</summary>
    public string? Language { get; init; }

    /// <summary>Callouts only: the emoji, at most 50 characters.</summary>
    public string? Emoji { get; init; }

    /// <summary>A colour, at most 20 characters.</summary>
    public string? Color { get; init; }
}

/// <summary>
/// A partial update of a block: only the properties that are not null change; the empty string
/// clears a text or JSON field. Changing <see cref="Type"/> clears the fields the new type does not
/// use (a checklist turned into a paragraph loses its check mark), unless the update sets them.
/// </summary>
public sealed record BlockUpdate
{
    /// <summary>New type.</summary>
    public BlockType? Type { get; init; }

    /// <summary>New text.</summary>
    public string? Content { get; init; }

    /// <summary>New check mark (checklists only).</summary>
    public bool? Checked { get; init; }

    /// <summary>New rows (tables only): a JSON array.</summary>
    public string? Rows { get; init; }

    /// <summary>New columns (tables only): a JSON array.</summary>
    public string? Columns { get; init; }

    /// <summary>New language (code only).</summary>
    public string? Language { get; init; }

    /// <summary>New emoji (callouts only).</summary>
    public string? Emoji { get; init; }

    /// <summary>New colour.</summary>
    public string? Color { get; init; }

    internal bool IsEmpty => this == new BlockUpdate();
}
