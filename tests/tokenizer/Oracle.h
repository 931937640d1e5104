#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace tl::test {

// One text for the differential tests: UTF-8 bytes (possibly invalid), or UTF-16 code units (for lone
// surrogates, which UTF-8 cannot carry).
struct OracleCase
{
    QString name;
    QString encoding; // "o200k_base" / "cl100k_base"
    QByteArray bytes;
    std::optional<QString> utf16;
    bool allSpecial = false; // encode with every special token allowed
};

// Runs tests/tokenizer/oracle/oracle.cjs (npm tiktoken 1.0.22 under Node.js) on `cases` and returns one
// id list per case, or nullopt with `*error` set when Node or the package is missing or it failed.
std::optional<QList<std::vector<std::uint32_t>>> runOracle(const QList<OracleCase> &cases, QString *error);

// The differential corpus: every kind of text issue 4 lists, for one encoding.
QList<OracleCase> corpus(const QString &encoding);

} // namespace tl::test
