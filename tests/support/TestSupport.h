#pragma once

#include "ledger/CallRecord.h"
#include "ledger/Ledger.h"
#include "common/Result.h"
#include "pricing/PriceBook.h"

#include <QString>
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

} // namespace tl::test

// QCOMPARE on error codes. (The ledger's enums have tl::toString(); compare their names.)
namespace QTest {
template<> char *toString(const tl::ErrorCode &c);
} // namespace QTest
