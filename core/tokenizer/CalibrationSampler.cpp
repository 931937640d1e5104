#include "tokenizer/CalibrationSampler.h"

#include "common/Logging.h"
#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/EncodingSpec.h"
#include "tokenizer/EstimateCalibration.h"
#include "tokenizer/Tokenizers.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <functional>

using namespace Qt::StringLiterals;

namespace tl::tokenizer {

namespace {

constexpr qint64 kHourUs = 3'600'000'000;

// A short-lived connection of the calling thread to the ledger file (WAL: it reads and writes beside
// the ledger's own connections). Removed when the guard goes.
class OwnConnection
{
public:
    explicit OwnConnection(const QString &path)
        : m_name(u"tl-calibration-%1"_s.arg(quintptr(QThread::currentThreadId()), 0, 16))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
        db.setDatabaseName(path);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
        m_ok = db.open();
        if (!m_ok)
            m_error = db.lastError().text();
    }
    ~OwnConnection()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    bool ok() const { return m_ok; }
    QString error() const { return m_error; }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }

private:
    QString m_name;
    bool m_ok = false;
    QString m_error;
};

Error databaseError(const QString &what)
{
    return Error{ErrorCode::Database, QObject::tr("Token calibration: database error: %1").arg(what)};
}

} // namespace

CalibrationSampler::CalibrationSampler(const Tokenizers &tokenizers, EstimateCalibration &calibration,
                                       QString ledgerPath, CalibrationSamplerOptions options)
    : m_tokenizers(tokenizers)
    , m_calibration(calibration)
    , m_ledgerPath(std::move(ledgerPath))
    , m_options(options)
{
    m_pool.setMaxThreadCount(1);
    m_pool.setThreadPriority(QThread::LowestPriority);
}

CalibrationSampler::~CalibrationSampler()
{
    m_pool.clear();
    m_pool.waitForDone();
}

bool CalibrationSampler::offer(const CallRecord &record, const QByteArray &requestBody, const QJsonObject &sentBody)
{
    if (record.usageStatus != UsageStatus::Complete || record.httpStatus != 200 || !record.errorKind.isEmpty()
        || record.cacheOutcome == CacheOutcome::ExactHit || record.cacheOutcome == CacheOutcome::SemanticHit
        || record.usage.promptTokens <= 0 || record.id <= 0)
        return false;
    const QString &model = record.servedModel.isEmpty() ? record.requestedModel : record.servedModel;
    if (model.isEmpty() || encodingForModel(model).exact)
        return false; // OpenAI models are counted exactly: nothing to calibrate
    const QString key = EstimateCalibration::modelKey(model);
    const qint64 hour = record.startedAtUs / kHourUs;
    {
        std::lock_guard lock(m_mutex);
        auto &[takenHour, taken] = m_taken[key];
        if (takenHour != hour) {
            takenHour = hour;
            taken = 0;
        }
        if (taken >= m_options.perModelPerHour)
            return false;
        if (m_pending.load() >= m_options.maxPending) {
            m_dropped.fetch_add(1);
            return false;
        }
        ++taken;
        m_pending.fetch_add(1);
    }
    m_pool.start([this, record, requestBody, sentBody] {
        count(record, requestBody, sentBody);
        m_pending.fetch_sub(1);
    });
    return true;
}

void CalibrationSampler::count(CallRecord record, QByteArray requestBody, QJsonObject sentBody)
{
    QJsonObject request = sentBody;
    if (request.isEmpty()) {
        const QJsonDocument doc = QJsonDocument::fromJson(requestBody);
        if (!doc.isObject())
            return;
        request = doc.object();
    }
    if (!request.value(u"messages"_s).isArray())
        return; // not a chat request (embeddings, Responses API input): not comparable
    const QString model = record.servedModel.isEmpty() ? record.requestedModel : record.servedModel;
    auto counter = ChatTokenCounter::forModel(m_tokenizers, model);
    if (!counter) {
        qCWarning(lcTokenizer) << "calibration: cannot count:" << counter.error().message;
        return;
    }
    const ChatTokenCount estimate = counter->countRequest(request);
    CalibrationPair pair{record.id,
                         record.startedAtUs,
                         record.provider.isNull() ? u""_s : record.provider,
                         model,
                         estimate.encoding,
                         estimate.promptTokens,
                         record.usage.promptTokens};
    if (auto stored = store(pair); !stored) {
        m_failed.fetch_add(1);
        qCWarning(lcTokenizer) << stored.error().message;
        return;
    }
    m_stored.fetch_add(1);
    m_calibration.recordModel(pair.model, pair.estimatedTokens, pair.reportedTokens);
}

Result<void> CalibrationSampler::store(const CalibrationPair &pair)
{
    OwnConnection connection(m_ledgerPath);
    if (!connection.ok())
        return std::unexpected(databaseError(connection.error()));
    QSqlQuery q(connection.db());
    q.prepare(uR"(INSERT OR IGNORE INTO token_calibration
        (call_id, at_us, provider, model, encoding, estimated_tokens, reported_tokens)
        VALUES (:call_id, :at_us, :provider, :model, :encoding, :estimated, :reported))"_s);
    q.bindValue(u":call_id"_s, pair.callId);
    q.bindValue(u":at_us"_s, pair.atUs);
    q.bindValue(u":provider"_s, pair.provider);
    q.bindValue(u":model"_s, pair.model);
    q.bindValue(u":encoding"_s, pair.encoding);
    q.bindValue(u":estimated"_s, pair.estimatedTokens);
    q.bindValue(u":reported"_s, pair.reportedTokens);
    if (!q.exec())
        return std::unexpected(databaseError(q.lastError().text()));
    return {};
}

Result<QList<CalibrationPair>> CalibrationSampler::readPairs(const QString &ledgerPath)
{
    OwnConnection connection(ledgerPath);
    if (!connection.ok())
        return std::unexpected(databaseError(connection.error()));
    QSqlQuery q(connection.db());
    q.setForwardOnly(true);
    if (!q.exec(uR"(SELECT call_id, at_us, provider, model, encoding, estimated_tokens, reported_tokens
        FROM token_calibration ORDER BY at_us, call_id)"_s))
        return std::unexpected(databaseError(q.lastError().text()));
    QList<CalibrationPair> pairs;
    while (q.next()) {
        pairs.append({q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(), q.value(3).toString(),
                      q.value(4).toString(), q.value(5).toLongLong(), q.value(6).toLongLong()});
    }
    return pairs;
}

void CalibrationSampler::load()
{
    m_pending.fetch_add(1);
    m_pool.start([this] {
        auto pairs = readPairs(m_ledgerPath);
        if (!pairs) {
            m_failed.fetch_add(1);
            qCWarning(lcTokenizer) << pairs.error().message;
        } else {
            m_calibration.clear();
            for (const CalibrationPair &p : std::as_const(*pairs))
                m_calibration.recordModel(p.model, p.estimatedTokens, p.reportedTokens);
            qCDebug(lcTokenizer) << "calibration: loaded" << pairs->size() << "stored pairs";
        }
        m_pending.fetch_sub(1);
    });
}

bool CalibrationSampler::waitForIdle(int timeoutMs)
{
    return m_pool.waitForDone(timeoutMs);
}

} // namespace tl::tokenizer
