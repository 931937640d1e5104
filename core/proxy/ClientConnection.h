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
#include <vector>

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
    // Closes the connection once it has no request in flight: at once when idle, else after the answer
    // under way. A request whose header block is in and whose body is still coming counts as in flight
    // (a graceful stop lets it finish; answerAtDrainDeadline() ends it).
    void closeWhenIdle();
    // Ends the current request now (client closed, shutdown) and records it.
    void abortExchange(const QString &errorKind);
    // The graceful stop's drain deadline (ProxyConfig::drainTimeoutMs) passed with this request in
    // flight: a client whose response has not started gets a provider-shaped 503 (the proxy, not the
    // upstream, stops serving: RFC 9110 section 15.6.4; both official SDKs retry it), a streaming
    // client the error event of an upstream cut and the stream's end. The record (error_kind
    // "shutdown") keeps what was known: the provider's usage seen so far, else the local tokenizer's
    // estimate (UsageStatus::Estimated), never a silent zero. A request whose body is still coming gets
    // the same 503 and a record of its own (exact $0: nothing reached an upstream). The connection closes
    // after the answer.
    void answerAtDrainDeadline();
    // The proxy stops with this connection still open (the end of a graceful stop's drain, or the server's
    // deletion): each recorded answer its client has not taken whole gets error_kind "shutdown" in the ledger
    // (markAnswersCut: the client will not get the rest because the proxy stopped, as the drain's other records
    // say), status, usage and cost kept. Nothing when no such answer waits.
    void markHeldAnswersShutdown();

    struct Exchange;

private:
    void onReadyRead();
    void processBuffer();
    void onHeaderTimeout();
    // One timer per connection serves every deadline (keep-alive idle, header, body, upstream first
    // byte and idle): setDeadline() only moves a target time and re-arms the timer when the new target
    // is earlier than the armed one, so a data chunk costs a clock read, not a timer restart.
    // ClientWrite: the upstream is paused for a client that does not read (flow control); renewed by
    // every byte the client takes, it replaces the upstream idle deadline while paused.
    enum class Deadline { None, Client, Upstream, ClientWrite };
    void setDeadline(Deadline kind, int ms);
    void clearDeadline() { m_deadline = Deadline::None; }
    void onDeadlineTimer();
    // Bytes written to the socket that the client has not taken yet (Linux: SIOCOUTQ); -1 where unknown.
    qint64 kernelUnsentBytes() const;
    // Writes to the client, after anything queue()d: straight to the kernel when QTcpSocket has nothing
    // queued (no copy into its buffer, no write-notifier turn of the event loop); the rest, and any
    // error, through QTcpSocket.
    void send(const QByteArray &bytes);
    // Collects bytes for the next send()/flushOut(): a stream's events of one upstream read leave in
    // one write (as QTcpSocket's own buffering did), each event still unchanged and unbuffered
    // beyond that read.
    void queue(const QByteArray &bytes) { m_out += bytes; }
    // `bytes` as one chunk of chunked transfer coding, queued like queue().
    void queueChunk(QByteArrayView bytes);
    void flushOut();
    // Flow control (ProxyConfig::clientHighWaterBytes / clientLowWaterBytes). send() hands QTcpSocket at
    // most the high-water mark; the rest of a large answer stays in m_held (implicitly shared with the
    // exchange's body, not copied) and is fed as the client reads (onBytesWritten). unsentBytes() is
    // what the client has not taken yet beyond the kernel's buffers.
    qint64 unsentBytes() const;
    void writeBounded(const QByteArray &bytes, qsizetype from);
    void onBytesWritten();
    // After an upstream pass (UpstreamCallbacks::onPassEnd): pauses the upstream transfer when the client is behind by more than the
    // high-water mark.
    void applyFlowControl();
    void resumeUpstream();
    void onClientWriteTimeout();
    // Answers recorded before they left (a non-streamed answer is recorded once whole, then handed to the
    // client as it reads; a stream's last bytes may wait too): finishExchange() notes a recorded answer whose
    // last bytes are still held for a slow client. When the client is cut off (write timeout) or leaves,
    // each noted answer it had not taken whole gets `errorKind` in the ledger (Ledger::markAnswerCut; the
    // record keeps its status and usage: the answer was billed); so it does when the proxy stops first
    // (markHeldAnswersShutdown). Slow path only: nothing is noted while the client keeps up.
    void noteHeldAnswer(qint64 recordId);
    void markAnswersCut(const QString &errorKind);
    // The bytes of this connection's answers the client may have taken: those handed to send(), less what is
    // still held, queued in QTcpSocket and (Linux) unsent in the kernel's buffer.
    qint64 takenBytes() const;
    // disconnectFromHost(), once m_held has been handed to the socket.
    void closeSocket();
    void onDisconnected();
    // What the request line of the request being read says: its path (when read whole), in origin form, and
    // the provider dialect of its error answers (OpenAI's when the path is unknown).
    struct RequestLine
    {
        bool pathKnown = false;
        QByteArray target;
        proxy::Dialect dialect = proxy::Dialect::OpenAi;
    };
    RequestLine requestLine() const;
    // Records the request being read, which never reached an upstream (a refusal of the proxy's own, a
    // client that hung up during its body): `status`, `errorKind`, an exact $0 with no usage, path and
    // provider from `line`, endpoint and caller only from a complete header block. A caller the proxy
    // refuses (no access token when one is set, a web page's request) leaves no record: the returned
    // record's id is then 0.
    CallRecord recordUnforwarded(const RequestLine &line, int status, const QString &errorKind, qint64 responseBytes);
    // Answers a request the parser refused or that did not arrive in time (413, 431, 400, 408) in its
    // provider's error shape (known from the request line, else OpenAI's), records it (`errorKind`,
    // exact $0: nothing reached an upstream) and closes with a lingering close: a 413 drains the body it
    // announced; a 431, 400 or 408 half-closes once the answer is out and drops what still comes.
    void rejectAndClose(int status, const QByteArray &reason, const QString &errorKind);
    // Shuts the socket's write side down (a FIN: the client reads the answer, then its end) once every
    // answer byte has been handed to the kernel (m_halfCloseWhenFlushed; else from onBytesWritten).
    void halfCloseIfFlushed();
    // While the server drains (a graceful stop), a linger lasts at most kRefusalLingerMs from now.
    void capLingerWhileDraining();
    // The header block of a request is in and its body is still coming (no exchange started yet).
    bool readingBody() const;
    void startExchange(HttpRequest request);
    void finishExchange(bool keepAlive);

    // Exchange steps (ClientConnection.cpp; state in Exchange.h).
    bool serveFromCache();
    // Answers from a cache (exact or semantic): the stored JSON body, or SSE events synthesised from it
    // for a streaming client; records the hit with the stored answer's usage (so its saved cost is what
    // the original call cost), calls `recorded` with the record id, then writes the response with the
    // ledger headers and `extraHeaders`. `usage`: the answer's usage when already known (else read
    // from `answer`, which may then be empty unless the client streams).
    void answerFromCache(CacheOutcome outcome, const QJsonObject &answer, const QByteArray &stored,
                         const QString &servedModel, HttpHeaders extraHeaders,
                         const std::function<void(qint64 recordId)> &recorded = {}, const Usage *usage = nullptr);
    void forwardUpstream();
    void onUpstreamHeaders(int status, const HttpHeaders &headers);
    void onUpstreamData(QByteArrayView bytes);
    void onUpstreamFinished(const QString &errorKind, const QString &message);
    void onUpstreamTimeout();
    void forwardEvent(const SseEvent &event);
    void respondError(int status, const QString &message, const QString &errorKind);
    void writeResponse(int status, const HttpHeaders &headers, const QByteArray &body);
    void endStream(const QByteArray &tail);
    // Ends a stream whose headers went out before it finished (idle timeout, drain deadline): the
    // upstream transfer is aborted, the record keeps the stream's usage so far (Incomplete, or Unknown
    // and then estimated) with `errorKind`, and the client gets `message` as an error event.
    void endStartedStreamEarly(const QString &errorKind, const QString &message, bool keepAlive);
    void finalizeRecord();
    // OpenAI background responses (ledger/PendingUsage.h): the create's record is pending, linked to the
    // response by its source key (the record id is reserved for it); a retrieve's terminal answer becomes a
    // settlement that finalizeRecord() hands to the ledger.
    void markUsagePending(const QString &responseId);
    void noteRetrieved(const QString &status, const Usage &usage, bool hasUsage);
    // X-TokenLedger-Cost-USD: decimal USD, "pending" (usage to come with a retrieve) or "unpriced".
    static QByteArray costHeaderValue(const CallRecord &record);
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
    QByteArray m_out; // queue()d, not yet sent
    QByteArray m_held;       // answer bytes beyond the high-water mark, not yet handed to QTcpSocket
    qsizetype m_heldPos = 0; // m_held[0, m_heldPos) is handed over already
    qint64 m_sentTotal = 0;  // bytes handed to send() on this connection (one addition a write)
    struct HeldAnswer
    {
        qint64 end = 0; // m_sentTotal after the answer's last byte
        qint64 recordId = 0;
    };
    std::vector<HeldAnswer> m_heldAnswers; // noteHeldAnswer(); usually empty, one when a client is slow
    bool m_closeWhenFlushed = false;
    QTimer m_timer;
    QElapsedTimer m_clock;          // the connection's monotonic clock (ms) for the deadlines
    Deadline m_deadline = Deadline::None;
    qint64 m_deadlineAtMs = 0;      // m_clock time the current deadline expires
    qint64 m_timerDueMs = -1;       // m_clock time m_timer fires (-1: not armed)
    // The bytes the kernel still held for the client when the write deadline was armed (-1: not known):
    // the deadline checks whether the client took any of them (kernelUnsentBytes()).
    qint64 m_kernelUnsentAtArm = -1;
    std::unique_ptr<Exchange> m_exchange;
    bool m_closing = false;
    bool m_continueSent = false;
    QElapsedTimer m_bodyClock;      // started when a request's headers are complete, until its body is
    bool m_closeAfterResponse = false;
    // Lingering close (as nginx's lingering_close), so that a client still writing reads the refusal instead
    // of a connection reset. After a 413 the rest of the announced body is read and dropped: at most
    // kLingerBytes, for at most kLingerMs, then the connection closes. After a 431, 400 or 408 (how much
    // still comes is unknown) the proxy's side is half-closed once the answer is out, and what comes is
    // dropped until the client closes, at most kRefusalLingerBytes for at most kRefusalLingerMs (nginx's
    // lingering_timeout is 5 s; a client that has the answer and its end needs only to stop writing).
    // A lingering connection is no request in flight (busy() is false) but still counts against
    // ProxyConfig::maxConnections: it holds a socket, and the bounds keep that short. -1: not lingering.
    static constexpr qint64 kLingerBytes = 1ll << 30;
    static constexpr int kLingerMs = 30'000;
    static constexpr qint64 kRefusalLingerBytes = 1ll << 20;
    static constexpr int kRefusalLingerMs = 2'000;
    qint64 m_lingerBytesLeft = -1;
    bool m_halfCloseWhenFlushed = false;
};

} // namespace tl
