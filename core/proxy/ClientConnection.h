#pragma once

#include "ledger/CallRecord.h"
#include "proxy/HttpRequestParser.h"
#include "proxy/ProviderProtocol.h"
#include "proxy/SseParser.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

class QTcpSocket;

namespace tl {

class ProxyServer;
struct UpstreamConfig;

// One client connection of the proxy: reads HTTP/1.1 requests (keep-alive, one at a time), answers
// each from the exact cache or by forwarding it upstream, and records it. Internal to core/proxy.
// Thread affinity: the proxy thread.
class ClientConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientConnection)

public:
    ClientConnection(QTcpSocket *socket, ProxyServer &server);
    ~ClientConnection() override;

    bool busy() const { return m_exchange != nullptr; }
    void closeWhenIdle();
    // Ends the current request now (client closed, shutdown, or drain timeout) and records it.
    void abortExchange(const QString &errorKind);

    struct Exchange;

private:
    void onReadyRead();
    void processBuffer();
    void onHeaderTimeout();
    void onDisconnected();
    void rejectAndClose(int status, const QByteArray &reason);
    void startExchange(HttpRequest request);
    void finishExchange(bool keepAlive);

    // Exchange steps (ClientConnection.cpp; state in Exchange.h).
    bool serveFromCache();
    // Answers from a cache (exact or semantic): the stored JSON body, or SSE events synthesised from it
    // for a streaming client; records the hit with the stored answer's usage (so its saved cost is what
    // the original call cost), calls `recorded` with the record id, then writes the response with the
    // ledger headers and `extraHeaders`.
    void answerFromCache(CacheOutcome outcome, const QJsonObject &answer, const QByteArray &stored,
                         const QString &servedModel, HttpHeaders extraHeaders,
                         const std::function<void(qint64 recordId)> &recorded = {});
    void forwardUpstream();
    void onUpstreamHeaders(int status, const HttpHeaders &headers);
    void onUpstreamData(QByteArrayView bytes);
    void onUpstreamFinished(const QString &errorKind, const QString &message);
    void onUpstreamTimeout();
    void forwardEvent(const SseEvent &event);
    void respondError(int status, const QString &message, const QString &errorKind);
    void writeResponse(int status, const HttpHeaders &headers, const QByteArray &body);
    void endStream(const QByteArray &tail);
    void finalizeRecord();
    void maybeStoreInCache(const QJsonObject &answer, bool truncated);

    // Savings pipeline (SavingsPipeline.cpp), in this order: prepareSavings() before the exact cache
    // (routing decision and semantic key/embedding of the client's request, recorded always), then
    // after an exact-cache miss runSavings(): semantic cache -> few-shot -> compression -> routing
    // -> forwardUpstream(). Remote embeddings and summaries are side calls through the upstream client.
    void prepareSavings();
    void computeSemanticKey();
    void runSavings();
    void semanticStep();
    void semanticLookup();
    void serveSemanticHit(qint64 entryId, const QJsonObject &answer, const QByteArray &stored,
                          const QString &servedModel);
    void fewShotStep();
    void compressionStep();
    void routingStep();
    void maybeStoreSemantic(const QJsonObject &answer, bool truncated);
    using SideDone = std::function<void(int status, const QByteArray &body, const QString &errorKind)>;
    void startSideCall(const UpstreamConfig &upstream, const QByteArray &path, const QJsonObject &body,
                       CallRecord sideRecord, proxy::ApiKind kind, SideDone done);
    HttpHeaders ledgerHeaders(const CallRecord &record, const char *cacheState) const;

    QTcpSocket *m_socket;
    ProxyServer &m_server;
    HttpRequestParser m_parser;
    QByteArray m_inBuffer;
    QTimer m_headerTimer;
    std::unique_ptr<Exchange> m_exchange;
    bool m_closing = false;
    bool m_continueSent = false;
    bool m_closeAfterResponse = false;
};

} // namespace tl
