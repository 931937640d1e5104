#include "ApiHttp.h"

#include "batch/BatchLogging.h"

#include <QCoroNetworkReply>
#include <QCoroTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include <memory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcBatch, "tokenledger.batch", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTeamSpend, "tokenledger.teamspend", QtInfoMsg)

namespace tl {

namespace {
struct DeleteLater
{
    void operator()(QNetworkReply *reply) const
    {
        if (reply)
            reply->deleteLater();
    }
};
using ReplyPtr = std::unique_ptr<QNetworkReply, DeleteLater>;
} // namespace

Sleeper defaultSleeper()
{
    return [](std::chrono::milliseconds delay) -> QCoro::Task<> {
        auto timer = QCoro::sleepFor(delay);
        co_await timer;
    };
}

QByteArray HttpResponse::header(QByteArrayView name) const
{
    for (const auto &[k, v] : headers) {
        if (QByteArrayView(k).compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

ApiHttp::ApiHttp(QNetworkAccessManager &manager, RetryPolicy policy, Sleeper sleeper)
    : m_manager(manager), m_policy(policy), m_sleeper(std::move(sleeper))
{
}

bool ApiHttp::isRetryableStatus(int status)
{
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504 || status == 529;
}

QString ApiHttp::errorText(const QByteArray &body)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QJsonValue err = o.value("error"_L1);
    if (err.isObject()) {
        const QString m = err.toObject().value("message"_L1).toString();
        if (!m.isEmpty())
            return m;
    } else if (err.isString()) {
        return err.toString();
    }
    return QString::fromUtf8(body.left(200)).simplified();
}

QCoro::Task<Async<HttpResponse>> ApiHttp::send(QNetworkRequest request, QByteArray verb, QByteArray body, QString what)
{
    request.setTransferTimeout(int(m_policy.transferTimeout.count()));
    auto delay = m_policy.initialDelay;
    QString lastProblem;
    for (int attempt = 1; attempt <= m_policy.maxAttempts; ++attempt) {
        ReplyPtr reply(m_manager.sendCustomRequest(request, verb, body));
        auto finished = qCoro(reply.get()).waitForFinished();
        co_await finished;
        const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        const int status = statusAttr.isValid() ? statusAttr.toInt() : 0;
        std::chrono::milliseconds wait = delay;
        if (status != 0 && !isRetryableStatus(status)) {
            HttpResponse response;
            response.status = status;
            response.body = reply->readAll();
            response.headers = reply->rawHeaderPairs();
            co_return response;
        }
        if (status != 0) {
            const QByteArray body429 = reply->readAll();
            lastProblem = QObject::tr("HTTP %1 (%2)").arg(status).arg(errorText(body429));
            bool ok = false;
            const qint64 retryAfter = reply->rawHeader("Retry-After").trimmed().toLongLong(&ok);
            if (ok && retryAfter >= 0)
                wait = std::chrono::milliseconds(retryAfter * 1000);
        } else {
            lastProblem = reply->errorString();
        }
        if (attempt == m_policy.maxAttempts)
            break;
        wait = std::min(wait, m_policy.maxDelay);
        qCInfo(lcBatch) << what << "try" << attempt << "failed:" << lastProblem << "- retrying in" << wait.count() << "ms";
        m_waits.append(wait);
        auto pause = m_sleeper(wait);
        co_await pause;
        delay = std::min(delay * 2, m_policy.maxDelay);
    }
    co_return fail(ErrorCode::Io, QObject::tr("%1 failed after %2 tries: %3").arg(what).arg(m_policy.maxAttempts).arg(lastProblem));
}

} // namespace tl
