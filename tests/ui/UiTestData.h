#pragma once

#include "ledger/Ledger.h"
#include "settings/Settings.h"

#include <QTemporaryDir>

#include <memory>

namespace tl::test {

// A real temporary SQLite ledger (and settings file) for GUI tests.
struct TempLedger
{
    QTemporaryDir dir;
    std::unique_ptr<Ledger> ledger;
    std::unique_ptr<Settings> settings;

    TempLedger();
    QString path() const { return dir.filePath(QStringLiteral("ledger.sqlite")); }
};

// Known test data, relative to `nowUs` (all priced by the ledger's pricer, so costs follow the book):
//  - 10 calls "chat" on gpt-4o-2024-08-06, 2 hours ago (1,000 prompt + 200 completion tokens each)
//  - 5 calls "code-assist" on gpt-4o-mini-2024-07-18, 3 days ago (2,000 + 100)
//  - 4 calls "summarise" on claude-3-5-sonnet-20241022 (provider anthropic), 20 days ago (5,000 + 500)
//  - 3 calls "legacy" on "acme-private-llm" (unpriced), 40 days ago (100 + 10)
// Committed before the function returns.
void fillLedger(Ledger &ledger, qint64 nowUs);

inline constexpr qint64 kHourUs = 3'600'000'000LL;
inline constexpr qint64 kDayUs = 24 * kHourUs;

} // namespace tl::test
