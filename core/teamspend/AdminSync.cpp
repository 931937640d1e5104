#include "AdminSync.h"

#include "batch/BatchLogging.h"
#include "importer/ImportSink.h"
#include "importer/ReportImport.h"
#include "ledger/Ledger.h"
#include "query/LedgerQueries.h"
#include "secrets/SecretStore.h"

#include <QCoroFuture>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrlQuery>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

constexpr qint64 kDayUs = 86'400'000'000;

qint64 floorDay(qint64 us) { return us - (((us % kDayUs) + kDayUs) % kDayUs); }

bool isOpenAi(ReportSource s)
{
    return s == ReportSource::OpenAiUsage || s == ReportSource::OpenAiEmbeddingsUsage || s == ReportSource::OpenAiCosts;
}

ImportFormat formatOf(ReportSource s)
{
    switch (s) {
    case ReportSource::OpenAiUsage: return ImportFormat::OpenAiUsage;
    case ReportSource::OpenAiEmbeddingsUsage: return ImportFormat::OpenAiEmbeddingsUsage;
    case ReportSource::OpenAiCosts: return ImportFormat::OpenAiCosts;
    case ReportSource::AnthropicUsage: return ImportFormat::AnthropicUsage;
    case ReportSource::AnthropicCost: return ImportFormat::AnthropicCost;
    }
    return ImportFormat::OpenAiUsage;
}

QString isoUtc(qint64 us)
{
    // RFC 3339 with "Z", as in the Anthropic Admin API reference examples.
    return QDateTime::fromMSecsSinceEpoch(us / 1000, QTimeZone::utc()).toString(u"yyyy-MM-dd'T'HH:mm:ss'Z'"_s);
}

} // namespace

QString toString(ReportSource s) { return toString(formatOf(s)); }

QList<ReportSource> allReportSources()
{
    return {ReportSource::OpenAiUsage, ReportSource::OpenAiEmbeddingsUsage, ReportSource::OpenAiCosts,
            ReportSource::AnthropicUsage, ReportSource::AnthropicCost};
}

bool SyncReport::ok() const
{
    return std::all_of(sources.cbegin(), sources.cend(), [](const SourceSyncReport &s) { return s.ok; });
}

QString SyncReport::summary() const
{
    if (sources.isEmpty())
        return QObject::tr("No Admin API key in the keychain: nothing to sync.");
    QStringList lines;
    for (const SourceSyncReport &s : sources) {
        if (s.ok)
            lines << QObject::tr("%1: %2, %3, %4 replaced")
                         .arg(toString(s.source), QObject::tr("%n page(s)", nullptr, int(s.pages)),
                              QObject::tr("%n record(s) added", nullptr, int(s.imported)))
                         .arg(s.replaced);
        else
            lines << QObject::tr("%1: failed, earlier data kept: %2").arg(toString(s.source), s.error);
    }
    return lines.join(u'\n');
}

AdminSync::AdminSync(Ledger &ledger, SecretStore &secrets, QNetworkAccessManager &network, AdminSyncConfig config, QObject *parent)
    : QObject(parent), m_ledger(ledger), m_secrets(secrets), m_config(std::move(config)), m_http(network, m_config.retry, m_config.sleeper)
{
}

AdminSync::AdminSync(Ledger &ledger, std::shared_ptr<SecretStore> secrets, std::shared_ptr<QNetworkAccessManager> network,
                      AdminSyncConfig config, QObject *parent)
    : QObject(parent), m_secretsOwner(std::move(secrets)), m_networkOwner(std::move(network)), m_ledger(ledger),
      m_secrets(*m_secretsOwner), m_config(std::move(config)), m_http(*m_networkOwner, m_config.retry, m_config.sleeper)
{
}

AdminSync::~AdminSync() = default;

qint64 AdminSync::now() const
{
    return m_config.nowUs ? m_config.nowUs() : QDateTime::currentMSecsSinceEpoch() * 1000;
}

QCoro::Task<Async<void>> AdminSync::setAdminKey(QString provider, QByteArray key)
{
    if (key.trimmed().isEmpty())
        co_return fail(ErrorCode::InvalidArgument, QObject::tr("the admin key is empty"));
    QString name;
    if (provider == "openai"_L1)
        name = m_config.openAiAdminKeyName;
    else if (provider == "anthropic"_L1)
        name = m_config.anthropicAdminKeyName;
    else
        co_return fail(ErrorCode::InvalidArgument, QObject::tr("no Admin API for provider \"%1\"").arg(provider));
    auto awaited1 = m_secrets.write(name, key.trimmed());
    co_return co_await awaited1;
}

QCoro::Task<QList<ReportSource>> AdminSync::sourcesWithKeys()
{
    auto awaited = sourcesWithKeysAndReasons();
    co_return (co_await awaited).sources;
}

QCoro::Task<AdminSync::KeyedSources> AdminSync::sourcesWithKeysAndReasons()
{
    QPointer<AdminSync> self(this);
    KeyedSources result;
    for (const bool openAi : {true, false}) {
        const QString name = openAi ? m_config.openAiAdminKeyName : m_config.anthropicAdminKeyName;
        auto awaited = m_secrets.read(name);
        const auto key = co_await awaited;
        if (!self)
            co_return KeyedSources{};
        if (!key || key->isEmpty()) {
            const QString reason = !key ? key.error().message : u"The keychain entry \"%1\" is empty."_s.arg(name);
            if (!result.leftOut.contains(reason))
                result.leftOut.append(reason);
            continue;
        }
        for (ReportSource s : allReportSources())
            if (isOpenAi(s) == openAi)
                result.sources.append(s);
    }
    co_return result;
}

QCoro::Task<SyncReport> AdminSync::sync(QList<ReportSource> sources)
{
    QPointer<AdminSync> self(this);
    SyncReport report;
    for (ReportSource s : sources) {
        auto awaited2 = syncSource(s);
        SourceSyncReport r = co_await awaited2;
        if (!self)
            co_return report;
        if (!r.ok)
            qCWarning(lcTeamSpend) << "sync of" << toString(s) << "failed:" << r.error;
        report.sources.append(r);
    }
    co_return report;
}

QCoro::Task<SourceSyncReport> AdminSync::syncSource(ReportSource source)
{
    QPointer<AdminSync> self(this);
    SourceSyncReport rep;
    rep.source = source;
    const QString name = toString(source);
    const bool openAi = isOpenAi(source);
    auto failWith = [&](const QString &message) {
        rep.ok = false;
        rep.error = message;
        return rep;
    };

    auto awaited3 = m_secrets.read(openAi ? m_config.openAiAdminKeyName : m_config.anthropicAdminKeyName);
    const auto key = co_await awaited3;
    if (!self)
        co_return failWith(QObject::tr("closed"));
    if (!key)
        co_return failWith(key.error().message);

    auto awaited4 = m_ledger.read<Result<std::optional<qint64>>>([name](QSqlDatabase &db) -> Result<std::optional<qint64>> {
        QSqlQuery q(db);
        q.prepare(u"SELECT complete_before_us FROM report_sync WHERE source = :source"_s);
        q.bindValue(u":source"_s, name);
        if (!q.exec())
            return fail(ErrorCode::Database, q.lastError().text());
        return q.next() ? std::optional<qint64>(q.value(0).toLongLong()) : std::nullopt;
    });
    const auto watermark = co_await awaited4;
    if (!self)
        co_return failWith(QObject::tr("closed"));
    if (!watermark)
        co_return failWith(watermark.error().message);
    const qint64 nowUs = now();
    rep.fromUs = watermark->value_or(floorDay(nowUs) - qint64(m_config.firstSyncDays) * kDayUs);
    rep.toUs = floorDay(nowUs) + kDayUs;
    Q_EMIT progress(QObject::tr("%1: fetching %2 to %3").arg(name, isoUtc(rep.fromUs), isoUtc(rep.toUs)));

    // 1. Every page, or nothing changes.
    QString path;
    switch (source) {
    case ReportSource::OpenAiUsage: path = u"/organization/usage/completions"_s; break;
    case ReportSource::OpenAiEmbeddingsUsage: path = u"/organization/usage/embeddings"_s; break;
    case ReportSource::OpenAiCosts: path = u"/organization/costs"_s; break;
    case ReportSource::AnthropicUsage: path = u"/organizations/usage_report/messages"_s; break;
    case ReportSource::AnthropicCost: path = u"/organizations/cost_report"_s; break;
    }
    QJsonArray pages;
    QString nextPage;
    do {
        QUrl url = openAi ? m_config.openAiBaseUrl : m_config.anthropicBaseUrl;
        QString basePath = url.path();
        if (basePath.endsWith(u'/'))
            basePath.chop(1);
        url.setPath(basePath + path);
        QUrlQuery query;
        if (openAi) {
            query.addQueryItem(u"start_time"_s, QString::number(rep.fromUs / 1'000'000));
            query.addQueryItem(u"end_time"_s, QString::number(rep.toUs / 1'000'000));
            query.addQueryItem(u"bucket_width"_s, u"1d"_s);
            // Embeddings usage has no batch grouping (OpenAI API reference, usage/embeddings group_by).
            const QStringList groups = source == ReportSource::OpenAiUsage
                ? QStringList{u"project_id"_s, u"api_key_id"_s, u"model"_s, u"batch"_s}
                : source == ReportSource::OpenAiEmbeddingsUsage ? QStringList{u"project_id"_s, u"api_key_id"_s, u"model"_s}
                                                                : QStringList{u"project_id"_s, u"line_item"_s};
            for (const QString &g : groups)
                query.addQueryItem(u"group_by"_s, g);
        } else {
            query.addQueryItem(u"starting_at"_s, isoUtc(rep.fromUs));
            query.addQueryItem(u"ending_at"_s, isoUtc(rep.toUs));
            query.addQueryItem(u"bucket_width"_s, u"1d"_s);
            const QStringList groups = source == ReportSource::AnthropicUsage
                ? QStringList{u"api_key_id"_s, u"workspace_id"_s, u"model"_s, u"service_tier"_s, u"context_window"_s}
                : QStringList{u"workspace_id"_s, u"description"_s};
            for (const QString &g : groups)
                query.addQueryItem(u"group_by[]"_s, g);
        }
        query.addQueryItem(u"limit"_s, QString::number(m_config.pageLimit));
        if (!nextPage.isEmpty())
            query.addQueryItem(u"page"_s, nextPage);
        url.setQuery(query);
        QNetworkRequest request(url);
        if (openAi) {
            request.setRawHeader("Authorization", "Bearer " + *key);
        } else {
            request.setRawHeader("x-api-key", *key);
            request.setRawHeader("anthropic-version", "2023-06-01");
        }
        const QString what = QObject::tr("%1 page %2").arg(name).arg(rep.pages + 1);
        auto awaited5 = m_http.send(request, "GET", {}, what);
        const auto answer = co_await awaited5;
        if (!self)
            co_return failWith(QObject::tr("closed"));
        if (!answer)
            co_return failWith(answer.error().message);
        if (answer->status != 200)
            co_return failWith(QObject::tr("%1: HTTP %2: %3").arg(what).arg(answer->status).arg(ApiHttp::errorText(answer->body)));
        const QJsonObject page = QJsonDocument::fromJson(answer->body).object();
        if (!page.value("data"_L1).isArray())
            co_return failWith(QObject::tr("%1 is not a report page (no \"data\" array)").arg(what));
        pages.append(page);
        ++rep.pages;
        nextPage = page.value("has_more"_L1).toBool() ? page.value("next_page"_L1).toString() : QString();
        if (page.value("has_more"_L1).toBool() && nextPage.isEmpty())
            co_return failWith(QObject::tr("%1 says it has more but gives no next_page").arg(what));
    } while (!nextPage.isEmpty());

    // 2. Replace the window's records of this source: delete (and rebuild the rollups) in one transaction.
    auto deleted = std::make_shared<Result<qint64>>(fail(ErrorCode::Database, QObject::tr("the ledger writer stopped")));
    const qint64 from = rep.fromUs;
    auto awaited6 = m_ledger.writer().runExclusive([deleted, name, from](QSqlDatabase &db) {
        if (!db.transaction()) {
            *deleted = fail(ErrorCode::Database, db.lastError().text());
            return;
        }
        // Source keys are "<source>:<bucket start>:..."; ':' + 1 == ';' bounds the prefix range.
        const QString which = uR"(FROM calls WHERE source_kind = :kind AND source_key >= :lo AND source_key < :hi
                        AND started_at_us >= :from)"_s;
        auto bind = [&](QSqlQuery &q) {
            q.bindValue(u":kind"_s, int(SourceKind::ProviderReport));
            q.bindValue(u":lo"_s, QString(name + u':'));
            q.bindValue(u":hi"_s, QString(name + u';'));
            q.bindValue(u":from"_s, from);
        };
        // The days the replaced records cover: only their rollups are rebuilt (the imported records then
        // go through the writer, which adds them to the rollups as it adds any record).
        QSqlQuery span(db);
        span.prepare(u"SELECT MIN(started_at_us), MAX(started_at_us) "_s + which);
        bind(span);
        if (!span.exec() || !span.next()) {
            *deleted = fail(ErrorCode::Database, span.lastError().text());
            db.rollback();
            return;
        }
        const qint64 firstUs = span.value(0).toLongLong();
        const qint64 lastUs = span.value(1).toLongLong();
        span.finish();
        QSqlQuery del(db);
        del.prepare(u"DELETE "_s + which);
        bind(del);
        if (!del.exec()) {
            *deleted = fail(ErrorCode::Database, del.lastError().text());
            db.rollback();
            return;
        }
        const qint64 n = del.numRowsAffected();
        if (n > 0) {
            if (auto r = LedgerQueries::rebuildRollups(db, firstUs, lastUs + 1); !r) {
                *deleted = std::unexpected(r.error());
                db.rollback();
                return;
            }
        }
        if (!db.commit()) {
            *deleted = fail(ErrorCode::Database, db.lastError().text());
            db.rollback();
            return;
        }
        *deleted = n;
    });
    co_await awaited6;
    if (!self)
        co_return failWith(QObject::tr("closed"));
    if (!*deleted)
        co_return failWith(deleted->error().message);
    rep.replaced = **deleted;

    // 3. Import the pages (ReportImport: the same parsing and source keys as a saved report file).
    Ledger *ledger = &m_ledger;
    const ImportFormat format = formatOf(source);
    auto awaited7 = QtConcurrent::run([ledger, pages, format, name, salt = m_config.callerSalt]() -> Result<ImportReport> {
        ImportReport report;
        ImportSink sink(ledger->writer(), ledger->pricer(), report, salt);
        auto r = ReportImport::run(QJsonDocument(pages), format, name + u" sync"_s, sink, report);
        const Result<void> stored = sink.finish();
        if (!r)
            return std::unexpected(r.error());
        if (!stored) // the watermark stays: the next sync fetches these days again
            return fail(ErrorCode::Database,
                        QObject::tr("storing the %1 report stopped: %2").arg(name, stored.error().message));
        return report;
    });
    const auto imported = co_await awaited7;
    if (!self)
        co_return failWith(QObject::tr("closed"));
    if (!imported)
        co_return failWith(imported.error().message);
    rep.imported = imported->imported;
    rep.duplicates = imported->duplicates;

    // 4. Move the watermark to the first day that is not complete yet.
    rep.completeBeforeUs = std::max(rep.fromUs, std::min(floorDay(nowUs - m_config.settleUs), rep.toUs));
    auto saved = std::make_shared<bool>(false);
    const qint64 completeBefore = rep.completeBeforeUs;
    auto awaited8 = m_ledger.writer().runExclusive([saved, name, completeBefore, nowUs](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(uR"(INSERT INTO report_sync (source, complete_before_us, last_sync_at_us, last_error)
                      VALUES (:source, :before, :at, '')
                      ON CONFLICT (source) DO UPDATE SET complete_before_us = excluded.complete_before_us,
                      last_sync_at_us = excluded.last_sync_at_us, last_error = '')"_s);
        q.bindValue(u":source"_s, name);
        q.bindValue(u":before"_s, completeBefore);
        q.bindValue(u":at"_s, nowUs);
        *saved = q.exec();
    });
    co_await awaited8;
    if (!*saved)
        co_return failWith(QObject::tr("cannot save the sync state of %1").arg(name));
    rep.ok = true;
    qCInfo(lcTeamSpend) << name << "synced:" << rep.pages << "pages," << rep.imported << "records," << rep.replaced << "replaced";
    co_return rep;
}

} // namespace tl
