#pragma once

#include "ledger/CallRecord.h"
#include "ledger/Ledger.h"
#include "common/Result.h"
#include "pricing/PriceBook.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTest>
#include <QTemporaryDir>

#include <memory>

namespace tl::test {

// Path of a file in ../shared/data (price data, traces, tokenizer ranks).
QString sharedData(const QString &relative);
// Path of a provider payload fixture in ../shared/fixtures/providers.
QString providerFixture(const QString &name);
// Path of a file in tests/fixtures.
QString fixture(const QString &relative);
QByteArray readFile(const QString &path);

// The built-in price book (loaded once per process).
std::shared_ptr<const PriceBook> builtInBook();

// A minimal record with the given model and tokens, at `startedAtUs`.
CallRecord makeRecord(qint64 startedAtUs, const QString &endpoint, const QString &provider, const QString &model,
                      qint64 prompt, qint64 completion);

// Opens (creating) a ledger with the built-in price book; aborts the test run if it cannot.
std::unique_ptr<Ledger> openLedger(const QString &path);

// Microseconds since the epoch for an ISO 8601 UTC text ("2026-03-29T01:30:00Z").
qint64 usFromIso(const QString &iso);

// A command line program run to its end: exit code (-1 when it did not start, crashed or was killed at the
// timeout), standard output and error as UTF-8.
struct CommandRun
{
    int exitCode = -1;
    QString out;
    QString err;
};
// Runs `program` with `args`, `input` on its standard input (then closed), in `env` (the system environment
// when empty), for at most `timeoutMs`. Blocks this thread (no event loop runs meanwhile).
CommandRun runCommand(const QString &program, const QStringList &args, const QByteArray &input = {},
                      const QProcessEnvironment &env = {}, int timeoutMs = 60'000);

#ifdef Q_OS_UNIX
// A full disk without root: caps this process's file size (RLIMIT_FSIZE) at the ledger file's or its WAL's
// size, whichever is larger, plus `headroomBytes`, with SIGXFSZ ignored, so the ledger's writes past it fail
// (EFBIG, SQLite's "disk I/O error" or "database or disk is full") as on a full disk. lift() (or the
// destructor) restores the limit and the signal's handler. Affects every thread of the test process.
class LedgerGrowthLimit
{
public:
    LedgerGrowthLimit(const QString &ledgerPath, qint64 headroomBytes);
    ~LedgerGrowthLimit() { (void)lift(); }
    LedgerGrowthLimit(const LedgerGrowthLimit &) = delete;
    LedgerGrowthLimit &operator=(const LedgerGrowthLimit &) = delete;
    // Whether the limit was set.
    bool ok() const { return m_set; }
    // Restores the limit as it was; true when it is (or was never changed).
    bool lift();

private:
    quint64 m_before = 0; // rlim_cur before
    bool m_set = false;
    void (*m_previousHandler)(int) = nullptr;
};
#endif

} // namespace tl::test

// QCOMPARE on error codes. (The ledger's enums have tl::toString(); compare their names.)
namespace QTest {
template<> char *toString(const tl::ErrorCode &c);
} // namespace QTest
