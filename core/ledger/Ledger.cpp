#include "Ledger.h"

#include "common/Logging.h"
#include "ledger/AnswerCut.h"
#include "ledger/Database.h"
#include "ledger/KeyLabels.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPromise>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

using namespace Qt::StringLiterals;

namespace tl {

Result<std::unique_ptr<Ledger>> Ledger::open(const QString &path, std::shared_ptr<const PriceBook> book, QObject *parent)
{
    auto writer = LedgerWriter::open(path);
    if (!writer)
        return std::unexpected(writer.error());
    const QString writerPath = (*writer)->path();
    return loadPricerInto(std::unique_ptr<Ledger>(new Ledger(writerPath, std::move(*writer), std::move(book), parent)));
}

Result<std::unique_ptr<Ledger>> Ledger::openReadOnly(const QString &path, std::shared_ptr<const PriceBook> book,
                                                     QObject *parent)
{
    {
        // A probe on this thread, so that a file that cannot be read is an error of open (with SQLite's words),
        // not a warning of the reader's first query.
        const QString probe = Database::threadConnectionName(u"ledger-probe"_s);
        std::optional<Error> error;
        if (auto db = Database::openReadOnly(path, probe); !db)
            error = db.error();
        Database::close(probe);
        if (error)
            return std::unexpected(*error);
    }
    std::unique_ptr<Ledger> ledger(new Ledger(path, nullptr, std::move(book), parent));
    return loadPricerInto(std::move(ledger));
}

Result<std::unique_ptr<Ledger>> Ledger::loadPricerInto(std::unique_ptr<Ledger> ledger)
{
    // Load the overrides synchronously so the first priced record already uses them.
    auto pricer = ledger->read<Result<std::shared_ptr<const Pricer>>>(
                            [b = ledger->m_book](QSqlDatabase &db) { return loadPricer(db, b); })
                      .result();
    if (!pricer)
        return std::unexpected(pricer.error());
    ledger->m_pricer = *pricer;
    return ledger;
}

Ledger::Ledger(QString path, std::unique_ptr<LedgerWriter> writer, std::shared_ptr<const PriceBook> book,
               QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_writer(std::move(writer))
    , m_book(std::move(book))
    , m_pricer(std::make_shared<const Pricer>(m_book))
{
    m_readPool.setMaxThreadCount(1);
    m_readPool.setExpiryTimeout(-1); // keep the one reader thread (and its connection) alive
    m_addedCoalescer.setSingleShot(true);
    m_addedCoalescer.setInterval(250);
    connect(&m_addedCoalescer, &QTimer::timeout, this, &Ledger::recordsAdded);
    if (!m_writer)
        return;
    connect(m_writer.get(), &LedgerWriter::committed, this, [this] {
        if (!m_addedCoalescer.isActive())
            m_addedCoalescer.start();
    });
    connect(m_writer.get(), &LedgerWriter::writeFailed, this, &Ledger::writeFailed);
}

Ledger::~Ledger()
{
    // Close the reader connection on its own thread, then stop the writer (which drains).
    // start() + waitForDone(), not run().waitForFinished(): a waiting QFuture may steal the job and run
    // it on this thread, leaving the reader's connection open under a name a later thread may reuse.
    m_readPool.start([this] { Database::close(readerConnectionName()); });
    m_readPool.waitForDone();
    m_writer.reset();
}

QString Ledger::readerConnectionName() const
{
    // Per ledger instance and thread: two ledgers (or a stolen job on another thread) never share one.
    return Database::threadConnectionName(QString(u"ledger-read-"_s + QString::number(quintptr(this), 16)));
}

QSqlDatabase Ledger::readerConnection()
{
    const QString name = readerConnectionName();
    if (QSqlDatabase::contains(name))
        return QSqlDatabase::database(name);
    auto db = m_writer ? Database::open(m_path, name) : Database::openReadOnly(m_path, name);
    if (!db) {
        qCWarning(lcLedger) << "reader cannot open the ledger:" << db.error().message;
        return QSqlDatabase();
    }
    return *db;
}

template<typename R>
QFuture<Result<R>> Ledger::readOnlyRefusal()
{
    return QtFuture::makeReadyFuture(Result<R>(
        fail(ErrorCode::Unsupported, QObject::tr("The ledger was opened read-only; it cannot be changed."))));
}

std::shared_ptr<const Pricer> Ledger::pricer() const
{
    QMutexLocker lock(&m_pricerMutex);
    return m_pricer;
}

QFuture<Result<Breakdown>> Ledger::breakdown(BreakdownQuery query)
{
    return read<Result<Breakdown>>([query](QSqlDatabase &db) { return LedgerQueries::breakdown(db, query); });
}

QFuture<Result<TimeSeries>> Ledger::timeSeries(TimeSeriesQuery query)
{
    return read<Result<TimeSeries>>([query](QSqlDatabase &db) { return LedgerQueries::timeSeries(db, query); });
}

QFuture<Result<QList<UnpricedModel>>> Ledger::unpricedModels(qint64 fromUs, qint64 toUs)
{
    return read<Result<QList<UnpricedModel>>>(
        [fromUs, toUs](QSqlDatabase &db) { return LedgerQueries::unpricedModels(db, fromUs, toUs); });
}

QFuture<Result<QList<CallRecord>>> Ledger::records(RecordQuery query)
{
    return read<Result<QList<CallRecord>>>([query](QSqlDatabase &db) { return LedgerQueries::records(db, query); });
}

QFuture<Result<std::pair<qint64, qint64>>> Ledger::timeSpan()
{
    return read<Result<std::pair<qint64, qint64>>>([](QSqlDatabase &db) { return LedgerQueries::timeSpan(db); });
}

QFuture<Result<std::optional<RepriceReport>>> Ledger::lastReprice()
{
    return read<Result<std::optional<RepriceReport>>>([](QSqlDatabase &db) { return Repricer::last(db); });
}

QFuture<Result<std::optional<CallText>>> Ledger::callText(qint64 callId)
{
    return read<Result<std::optional<CallText>>>([callId](QSqlDatabase &db) -> Result<std::optional<CallText>> {
        QSqlQuery q(db);
        q.prepare(u"SELECT request_body, response_body FROM call_text WHERE call_id = ?"_s);
        q.addBindValue(callId);
        if (!q.exec())
            return fail(ErrorCode::Database, QObject::tr("Cannot read the call's text: %1").arg(q.lastError().text()));
        if (!q.next())
            return std::optional<CallText>();
        return std::optional<CallText>(CallText{q.value(0).toByteArray(), q.value(1).toByteArray()});
    });
}

Result<std::shared_ptr<const Pricer>> Ledger::loadPricer(QSqlDatabase &db, std::shared_ptr<const PriceBook> book)
{
    QList<PriceOverride> overrides;
    QSqlQuery q(db);
    if (!q.exec(u"SELECT provider, model, prices_json, revision, note FROM price_overrides ORDER BY id"_s))
        return fail(ErrorCode::Database, QObject::tr("Cannot read price overrides: %1").arg(q.lastError().text()));
    while (q.next()) {
        PriceOverride o;
        o.provider = q.value(0).toString();
        o.model = q.value(1).toString();
        o.prices = ModelPrices::fromJson(QJsonDocument::fromJson(q.value(2).toString().toUtf8()).object());
        o.revision = q.value(3).toLongLong();
        o.note = q.value(4).toString();
        overrides.append(o);
    }
    QList<ModelAlias> aliases;
    if (!q.exec(u"SELECT alias, provider, model FROM model_aliases ORDER BY alias"_s))
        return fail(ErrorCode::Database, QObject::tr("Cannot read model aliases: %1").arg(q.lastError().text()));
    while (q.next())
        aliases.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString()});
    return std::make_shared<const Pricer>(std::move(book), std::move(overrides), std::move(aliases));
}

QFuture<Result<void>> Ledger::modifyPricing(std::function<Result<void>(QSqlDatabase &)> change)
{
    if (!m_writer)
        return readOnlyRefusal<void>();
    auto promise = std::make_shared<QPromise<Result<void>>>();
    promise->start();
    QFuture<Result<void>> future = promise->future();
    m_writer->runExclusive([this, change = std::move(change), promise](QSqlDatabase &db) {
        Result<void> result = change(db);
        if (result) {
            auto pricer = loadPricer(db, m_book);
            if (pricer) {
                QMutexLocker lock(&m_pricerMutex);
                m_pricer = *pricer;
            } else {
                result = std::unexpected(pricer.error());
            }
        }
        promise->addResult(result);
        promise->finish();
        if (result)
            QMetaObject::invokeMethod(this, &Ledger::pricingChanged, Qt::QueuedConnection);
    });
    return future;
}

QFuture<Result<void>> Ledger::setOverride(PriceOverride o)
{
    return modifyPricing([o](QSqlDatabase &db) -> Result<void> {
        QSqlQuery q(db);
        q.prepare(uR"(INSERT INTO price_overrides (provider, model, prices_json, revision, note, updated_at_us)
            VALUES (?, ?, ?, (SELECT COALESCE(MAX(revision), 0) + 1 FROM price_overrides), ?, ?)
            ON CONFLICT (provider, model) DO UPDATE SET prices_json = excluded.prices_json,
            revision = excluded.revision, note = excluded.note, updated_at_us = excluded.updated_at_us)"_s);
        q.addBindValue(Database::sqlText(o.provider));
        q.addBindValue(Database::sqlText(o.model));
        q.addBindValue(QString::fromUtf8(QJsonDocument(o.prices.toJson()).toJson(QJsonDocument::Compact)));
        q.addBindValue(Database::sqlText(o.note));
        q.addBindValue(QDateTime::currentMSecsSinceEpoch() * 1000);
        if (!q.exec())
            return fail(ErrorCode::Database, QObject::tr("Cannot save the price: %1").arg(q.lastError().text()));
        return {};
    });
}

QFuture<Result<void>> Ledger::removeOverride(QString provider, QString model)
{
    return modifyPricing([provider, model](QSqlDatabase &db) -> Result<void> {
        QSqlQuery q(db);
        q.prepare(u"DELETE FROM price_overrides WHERE provider = ? AND model = ?"_s);
        q.addBindValue(Database::sqlText(provider));
        q.addBindValue(Database::sqlText(model));
        if (!q.exec())
            return fail(ErrorCode::Database, QObject::tr("Cannot remove the price: %1").arg(q.lastError().text()));
        return {};
    });
}

QFuture<Result<void>> Ledger::setAlias(ModelAlias alias)
{
    return modifyPricing([alias](QSqlDatabase &db) -> Result<void> {
        QSqlQuery q(db);
        q.prepare(u"INSERT INTO model_aliases (alias, provider, model) VALUES (?, ?, ?) "
                  u"ON CONFLICT (alias) DO UPDATE SET provider = excluded.provider, model = excluded.model"_s);
        q.addBindValue(Database::sqlText(alias.alias));
        q.addBindValue(Database::sqlText(alias.provider));
        q.addBindValue(Database::sqlText(alias.model));
        if (!q.exec())
            return fail(ErrorCode::Database, QObject::tr("Cannot save the alias: %1").arg(q.lastError().text()));
        return {};
    });
}

QFuture<Result<void>> Ledger::removeAlias(QString alias)
{
    return modifyPricing([alias](QSqlDatabase &db) -> Result<void> {
        QSqlQuery q(db);
        q.prepare(u"DELETE FROM model_aliases WHERE alias = ?"_s);
        q.addBindValue(Database::sqlText(alias));
        if (!q.exec())
            return fail(ErrorCode::Database, QObject::tr("Cannot remove the alias: %1").arg(q.lastError().text()));
        return {};
    });
}

QFuture<Result<void>> Ledger::setKeyLabel(QString keyId, QString label)
{
    if (!m_writer)
        return readOnlyRefusal<void>();
    auto promise = std::make_shared<QPromise<Result<void>>>();
    promise->start();
    QFuture<Result<void>> future = promise->future();
    m_writer->runExclusive([this, promise, keyId, label](QSqlDatabase &db) {
        const Result<void> result = KeyLabels::set(db, keyId, label);
        promise->addResult(result);
        promise->finish();
        if (result)
            QMetaObject::invokeMethod(this, &Ledger::keyLabelsChanged, Qt::QueuedConnection);
    });
    return future;
}

QFuture<Result<std::optional<qint64>>> Ledger::settlePendingUsage(PendingUsage::Settlement settlement)
{
    if (!m_writer)
        return readOnlyRefusal<std::optional<qint64>>();
    auto promise = std::make_shared<QPromise<Result<std::optional<qint64>>>>();
    promise->start();
    QFuture<Result<std::optional<qint64>>> future = promise->future();
    const std::shared_ptr<const Pricer> pricerNow = pricer();
    m_writer->runExclusive([this, promise, pricerNow, settlement = std::move(settlement)](QSqlDatabase &db) {
        auto settled = PendingUsage::settle(db, *pricerNow, settlement);
        if (!settled) {
            qCWarning(lcLedger).noquote() << settled.error().message;
            promise->addResult(Result<std::optional<qint64>>(std::unexpected(settled.error())));
            promise->finish();
            return;
        }
        std::optional<PendingUsage::Settled> changed = std::move(*settled);
        promise->addResult(changed ? std::optional<qint64>(changed->id) : std::optional<qint64>());
        promise->finish();
        if (changed) {
            QMetaObject::invokeMethod(
                this,
                [this, done = std::move(*changed)] {
                    Q_EMIT recordSettled(done);
                    Q_EMIT pricingChanged();
                },
                Qt::QueuedConnection);
        }
    });
    return future;
}

QFuture<Result<bool>> Ledger::markAnswerCut(qint64 recordId, QString errorKind)
{
    auto promise = std::make_shared<QPromise<Result<bool>>>();
    promise->start();
    QFuture<Result<bool>> future = promise->future();
    m_writer->runExclusive([this, promise, recordId, errorKind](QSqlDatabase &db) {
        const Result<bool> marked = AnswerCut::mark(db, recordId, errorKind);
        if (!marked)
            qCWarning(lcLedger).noquote() << marked.error().message;
        promise->addResult(marked);
        promise->finish();
        if (marked && *marked) {
            QMetaObject::invokeMethod(
                this, [this, recordId, errorKind] { Q_EMIT recordMarkedCut(recordId, errorKind); },
                Qt::QueuedConnection);
        }
    });
    return future;
}

QFuture<Result<RepriceReport>> Ledger::reprice()
{
    if (!m_writer)
        return readOnlyRefusal<RepriceReport>();
    auto promise = std::make_shared<QPromise<Result<RepriceReport>>>();
    promise->start();
    QFuture<Result<RepriceReport>> future = promise->future();
    const std::shared_ptr<const Pricer> pricerNow = pricer();
    m_writer->runExclusive([this, promise, pricerNow](QSqlDatabase &db) {
        auto report = Repricer::run(db, *pricerNow, QDateTime::currentMSecsSinceEpoch() * 1000);
        promise->addResult(report);
        promise->finish();
        if (report)
            QMetaObject::invokeMethod(this, &Ledger::pricingChanged, Qt::QueuedConnection);
    });
    return future;
}

} // namespace tl
