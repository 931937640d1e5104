#include "UiTestData.h"

#include "TestSupport.h"

#include <QtTest>

using namespace Qt::StringLiterals;

namespace tl::test {

TempLedger::TempLedger()
{
    auto opened = Ledger::open(path(), builtInBook());
    if (!opened)
        qFatal("cannot open the test ledger: %s", qPrintable(opened.error().message)); // test setup only
    ledger = std::move(*opened);
    settings = std::make_unique<Settings>(dir.filePath(u"settings.ini"_s));
}

void fillLedger(Ledger &ledger, qint64 nowUs)
{
    QList<CallRecord> records;
    auto add = [&](int n, qint64 atUs, const QString &endpoint, const QString &provider, const QString &model,
                   qint64 prompt, qint64 completion) {
        for (int i = 0; i < n; ++i) {
            CallRecord r = makeRecord(atUs + i * 1'000'000LL, endpoint, provider, model, prompt, completion);
            r.latencyUs = 400'000 + i * 10'000;
            r.sourceKey = u"uitest:%1:%2"_s.arg(endpoint).arg(i);
            ledger.pricer()->apply(r);
            records << r;
        }
    };
    add(10, nowUs - 2 * kHourUs, u"chat"_s, u"openai"_s, u"gpt-4o-2024-08-06"_s, 1000, 200);
    add(5, nowUs - 3 * kDayUs, u"code-assist"_s, u"openai"_s, u"gpt-4o-mini-2024-07-18"_s, 2000, 100);
    add(4, nowUs - 20 * kDayUs, u"summarise"_s, u"anthropic"_s, u"claude-3-5-sonnet-20241022"_s, 5000, 500);
    add(3, nowUs - 40 * kDayUs, u"legacy"_s, u"acme"_s, u"acme-private-llm"_s, 100, 10);
    const WriteReport report = ledger.writer().submitBatch(records).result();
    if (report.inserted != records.size())
        qFatal("test data: %lld of %lld records inserted", report.inserted, qint64(records.size()));
}

} // namespace tl::test
