using Chat.Data.Benchmarks.Host;
using Chat.Data.Internal;
using Chat.Data.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Chat.Data.Benchmarks.Baselines;

/// <summary>
/// Idiomatic EF Core: a pooled context per operation and no-tracking queries. It maps the library's
/// <see cref="User"/> record (through its constructor), so all three ways return equal objects.
/// </summary>
internal sealed class EfCoreUsers(string connectionString)
{
    private readonly PooledDbContextFactory<UsersDbContext> _contexts = new(
        new DbContextOptionsBuilder<UsersDbContext>().UseNpgsql(connectionString).Options);

    public async Task<User?> FindByIdAsync(Guid id)
    {
        await using var context = _contexts.CreateDbContext();
        return await context.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id);
    }

    public async Task<List<User>> FindByPhonesAsync(string[] phones)
    {
        await using var context = _contexts.CreateDbContext();
        return await context.Users.AsNoTracking().Where(u => phones.Contains(u.Phone!)).ToListAsync();
    }

    internal sealed class UsersDbContext(DbContextOptions<UsersDbContext> options) : DbContext(options)
    {
        public DbSet<User> Users => Set<User>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            // Only the columns the library reads; password_hash stays out of the model as it stays out of User.
            var user = modelBuilder.Entity<User>().ToTable("users", BenchDatabase.Schema);
            user.HasKey(u => u.Id);
            user.Property(u => u.Id).HasColumnName("id");
            user.Property(u => u.ExternalId).HasColumnName("external_id");
            user.Property(u => u.Phone).HasColumnName("phone");
            user.Property(u => u.Username).HasColumnName("username");
            user.Property(u => u.DisplayName).HasColumnName("display_name");
            user.Property(u => u.Avatar).HasColumnName("avatar");
            user.Property(u => u.About).HasColumnName("about");
            user.Property(u => u.Presence).HasColumnName("presence")
                .HasConversion(p => DbEnum<Presence>.ToDb(p, "presence"), text => DbEnum<Presence>.FromDb(text));
            user.Property(u => u.LastSeenAt).HasColumnName("last_seen_at");
            user.Property(u => u.CreatedAt).HasColumnName("created_at");
            user.Property(u => u.UpdatedAt).HasColumnName("updated_at");
        }
    }
}
