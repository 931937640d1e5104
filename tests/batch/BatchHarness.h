#pragma once

#include "MemorySecretStore.h"
#include "ProviderApiServer.h"
#include "TestSupport.h"

#include "batch/ApiHttp.h"
#include "ledger/Database.h"
#include "ledger/Ledger.h"

#include <QNetworkAccessManager>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <chrono>
#include <memory>

namespace tl::test {

// What the batch and team-spend tests share: a real ledger file in a temp folder, an in-memory
// keychain, one network manager, the loopback provider server, and a sleeper that records the waits
// it is asked for and returns at once (no test sleeps for seconds).
struct BatchHarness
{
    QTemporaryDir dir;
    QString path;
    std::unique_ptr<Ledger> ledger;
    MemorySecretStore secrets;
    QNetworkAccessManager network;
    ProviderApiServer server;
    std::shared_ptr<QList<std::chrono::milliseconds>> sleeps = std::make_shared<QList<std::chrono::milliseconds>>();

    BatchHarness()
    {
        path = dir.filePath(QStringLiteral("ledger.sqlite"));
        reopen();
    }

    void reopen()
    {
        ledger.reset();
        auto l = Ledger::open(path, builtInBook());
        if (!l)
            qFatal("cannot open ledger: %s", qPrintable(l.error().message));
        ledger = std::move(*l);
    }

    Sleeper sleeper() const
    {
        auto list = sleeps;
        return [list](std::chrono::milliseconds d) -> QCoro::Task<> {
            list->append(d);
            co_return;
        };
    }

    RetryPolicy fastRetry(int attempts = 4) const
    {
        RetryPolicy p;
        p.maxAttempts = attempts;
        p.initialDelay = std::chrono::milliseconds(1000);
        p.maxDelay = std::chrono::milliseconds(60000);
        p.transferTimeout = std::chrono::milliseconds(5000);
        return p;
    }

    // A value from the ledger file, read through its own SQLite connection.
    QVariant scalar(const QString &sql)
    {
        ledger->writer().flush().waitForFinished();
        const QString name = QStringLiteral("check-%1").arg(++m_checks);
        QVariant v;
        {
            auto db = Database::open(path, name);
            if (!db)
                qFatal("cannot open ledger: %s", qPrintable(db.error().message));
            QSqlQuery q(*db);
            if (!q.exec(sql))
                qFatal("query failed: %s", qPrintable(sql));
            if (q.next())
                v = q.value(0);
        }
        Database::close(name);
        return v;
    }

private:
    int m_checks = 0;
};

} // namespace tl::test
