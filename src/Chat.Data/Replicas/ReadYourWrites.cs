using Chat.Data.Internal;

namespace Chat.Data.Replicas;

internal sealed class ReadYourWrites(ChatDatabase db) : IReadYourWrites
{
    public ReadYourWritesScope Begin(ConsistencyToken lastWrite = default) => new(db.Consistency, lastWrite);

    public ReadYourWritesScope? Current => db.Consistency.Value;
}
