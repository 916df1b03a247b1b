// `brook migrations`: ksqlDB's ksql-migrations, compatible both ways — the same commands, the
// same project layout (ksql-migrations.properties, migrations/V000001__Name.sql) and the same
// metadata (the MIGRATION_EVENTS stream and the MIGRATION_SCHEMA_VERSIONS table), so a team can
// switch tools in either direction. See docs/migrations.md.
#ifndef BROOK_CLI_SHELL_MIGRATIONS_H_
#define BROOK_CLI_SHELL_MIGRATIONS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace brook::shell {

// argv[0] is "migrations". Returns the exit status.
int MigrationsMain(int argc, char** argv);

// A migration file's name: V<version>__<Name>.sql (version: digits, at least one).
struct MigrationFile {
  int version = 0;
  std::string name;  // underscores as spaces, as ksql-migrations shows it
  std::string path;
};
std::optional<MigrationFile> ParseMigrationFileName(const std::string& file_name);
// "Add users" -> "V000003__Add_users.sql".
std::string MigrationFileName(int version, const std::string& description);
// ksql-migrations' checksum of a file's contents: MD5, hex.
std::string MigrationChecksum(const std::string& contents);
// A Java-properties file's key=value pairs (comments and blank lines skipped).
std::map<std::string, std::string> ReadProperties(const std::string& text);

}  // namespace brook::shell

#endif  // BROOK_CLI_SHELL_MIGRATIONS_H_
