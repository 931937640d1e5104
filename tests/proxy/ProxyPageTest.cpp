// The Proxy page with real widgets offscreen: toggling it starts the real proxy, live traffic from the
// loopback upstream fills the bounded log model (checked by QAbstractItemModelTester), the filter
// works, and the page renders to a PNG for a look.
#include "BigUpstream.h"
#include "LoopbackUpstream.h"
#include "TestSupport.h"

#include "common/Format.h"
#include "common/Money.h"
#include "common/Theme.h"
#include "common/Translations.h"
#include "ledger/Ledger.h"
#include "proxy/Proxy.h"
#include "proxy/ProxyLimitsPanel.h"
#include "proxy/ProxyLogModel.h"
#include "proxy/ProxyPage.h"
#include "proxy/ProxyStatusIndicator.h"
#include "proxy/RecordDetailsDialog.h"
#include "proxy/UpstreamEditor.h"
#include "secrets/SecretStore.h"
#include "settings/Settings.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QHeaderView>
#include <QImage>
#include <QPlainTextEdit>
#include <QScopeGuard>
#include <QScrollArea>
#include <QSettings>
#include <QTranslator>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QProcess>
#include <QPromise>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QStyle>
#include <QTableWidget>
#include <QRegularExpression>
#include <QToolButton>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::test;

namespace {

// In-memory SecretStore: the real keychain is covered by SecretStoreTest (gnome-keyring).
class MemorySecretStore final : public SecretStore
{
public:
    QHash<QString, QByteArray> entries;
    QString lockedReason; // non-empty: every read fails as a locked keychain does (ErrorCode::Secret)
    template<typename T>
    static QFuture<T> ready(T value)
    {
        QPromise<T> p;
        p.start();
        p.addResult(std::move(value));
        p.finish();
        return p.future();
    }
    QFuture<Result<QByteArray>> read(const QString &name) override
    {
        if (!lockedReason.isEmpty())
            return ready<Result<QByteArray>>(fail(ErrorCode::Secret, lockedReason));
        if (!entries.contains(name))
            return ready<Result<QByteArray>>(fail(ErrorCode::NotFound, u"No key is stored in the keychain for \"%1\"."_s.arg(name)));
        return ready<Result<QByteArray>>(entries.value(name));
    }
    QFuture<Result<void>> write(const QString &name, const QByteArray &secret) override
    {
        entries.insert(name, secret);
        return ready<Result<void>>({});
    }
    QFuture<Result<void>> remove(const QString &name) override
    {
        entries.remove(name);
        return ready<Result<void>>({});
    }
};

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

// A page's world: a temp folder, a loopback upstream, a ledger and a settings file naming a free port
// and one "openai" upstream on that upstream (with `keychainEntry` when it is not empty).
struct PageHarness
{
    QTemporaryDir dir;
    LoopbackUpstream upstream;
    std::unique_ptr<Ledger> ledger;
    Settings settings{dir.filePath(u"settings.ini"_s)};
    quint16 port = freePort();

    explicit PageHarness(const QByteArray &keychainEntry = {})
    {
        auto opened = Ledger::open(dir.filePath(u"ledger.sqlite"_s), builtInBook());
        if (opened)
            ledger = std::move(*opened);
        settings.setValue(u"proxy/port"_s, port);
        settings.setValue(u"proxy/upstreams"_s,
                          QByteArray(R"([{"id":"openai","kind":"openai","baseUrl":")" + upstream.baseUrl("/v1")
                                     + (keychainEntry.isEmpty() ? QByteArray() : R"(","keychainEntry":")" + keychainEntry)
                                     + R"("}])"));
    }
};


// Runs curl against the proxy: `method` on `path`, with a chat body for POST. True when curl finished.
bool curlProxy(quint16 port, const QString &method, const QString &path)
{
    QProcess curl;
    QStringList args{u"-s"_s, u"-o"_s, u"/dev/null"_s, u"-X"_s, method};
    if (method == u"POST"_s)
        args << u"-H"_s << u"Content-Type: application/json"_s << u"--data-binary"_s
             << QString::fromLatin1(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})");
    curl.start(u"curl"_s, args << u"http://127.0.0.1:%1%2"_s.arg(port).arg(path));
    return curl.waitForFinished(10000) && curl.exitCode() == 0;
}

// Which way the sort arrow drawn in `section` of `header` points: +1 down (its widest row on top), -1 up,
// 0 when no arrow is found. Looks at the section's right part, where Fusion draws it (SE_HeaderArrow).
int sortArrowDirection(QHeaderView *header, int section)
{
    const QImage image = header->grab().toImage();
    const int right = header->sectionViewportPosition(section) + header->sectionSize(section) - 3;
    const QColor background = image.pixelColor(right - 1, 1);
    QList<int> widths;
    for (int y = 2; y < image.height() - 2; ++y) {
        int n = 0;
        for (int x = right - 16; x < right - 1; ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.lightness() - background.lightness()) > 60)
                ++n;
        }
        widths << (n >= 14 ? 0 : n); // a line across the region is a border, not the arrow
    }
    const auto first = std::find_if(widths.begin(), widths.end(), [](int n) { return n > 0; });
    const auto last = std::find_if(widths.rbegin(), widths.rend(), [](int n) { return n > 0; });
    if (first == widths.end() || *first == *last)
        return 0;
    return *first > *last ? 1 : -1;
}

QStringList comboData(QComboBox *combo)
{
    QStringList out;
    for (int i = 0; i < combo->count(); ++i)
        out << combo->itemData(i).toString();
    return out;
}

} // namespace

class ProxyPageTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void logModelIsBoundedNewestFirst()
    {
        ProxyLogModel model(3);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<CallRecord> batch;
        for (int i = 1; i <= 5; ++i) {
            CallRecord r = makeRecord(i * 1000000, u"e%1"_s.arg(i), u"openai"_s, u"gpt-4o"_s, 10 * i, i);
            r.id = i;
            r.cost = 1000 * i;
            batch << r;
        }
        model.append(batch.mid(0, 2));
        QCOMPARE(model.rowCount(), 2);
        model.append(batch.mid(2));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.record(0).id, 5);
        QCOMPARE(model.record(2).id, 3);
        QCOMPARE(model.data(model.index(0, ProxyLogModel::Tokens), ProxyLogModel::SortRole).toLongLong(), 55);
        QCOMPARE(model.data(model.index(0, ProxyLogModel::Cost), ProxyLogModel::SortRole).toLongLong(), 5000);
    }

    void pageStartsProxyAndShowsLiveTraffic()
    {
        PageHarness h("proxy/upstream/openai");
        QVERIFY(h.ledger);
        auto &[dir, upstream, ledger, settings, port] = h;
        auto secrets = std::make_shared<MemorySecretStore>();
        secrets->entries.insert(u"proxy/upstream/openai"_s, "sk-PLANTED-page-key");
        {
            Proxy proxy(*ledger);
            ProxyPage page(proxy, settings, secrets);
            ProxyStatusIndicator indicator(proxy);
            QAbstractItemModelTester tester(page.logModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
            page.resize(1100, 800);
            page.show();
            QCOMPARE(page.findChild<QSpinBox *>(u"proxyPort"_s)->value(), int(port));
            QVERIFY(page.snippet().contains(u"OPENAI_BASE_URL=http://127.0.0.1:%1/v1"_s.arg(port)));
            page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
            QTRY_VERIFY_WITH_TIMEOUT(proxy.isRunning(), 5000);
            QCOMPARE(proxy.port(), port);
            QTRY_VERIFY(indicator.text().contains(QString::number(port)));
            for (const char *model : {"gpt-4o", "gpt-4o", "rate-limited"}) {
                QProcess curl;
                curl.start(u"curl"_s, {u"-s"_s, u"-o"_s, u"/dev/null"_s, u"-H"_s, u"Content-Type: application/json"_s,
                                       u"--data-binary"_s,
                                       QString::fromLatin1(R"({"model":")" + QByteArray(model)
                                                           + R"(","messages":[{"role":"user","content":"hi"}]})"),
                                       u"http://127.0.0.1:%1/v1/chat/completions"_s.arg(port)});
                QVERIFY(curl.waitForFinished(10000));
            }
            // The key from the "keychain" went upstream.
            QCOMPARE(headerValue(upstream.lastRequest().headers, "authorization"), QByteArray("Bearer sk-PLANTED-page-key"));
            QTRY_COMPARE_WITH_TIMEOUT(page.logModel()->rowCount(), 3, 5000);
            auto *view = page.findChild<QTableView *>(u"proxyLog"_s);
            page.findChild<QLineEdit *>(u"proxyLogFilter"_s)->setText(u"hit"_s);
            QCOMPARE(view->model()->rowCount(), 1);
            page.findChild<QLineEdit *>(u"proxyLogFilter"_s)->setText(u"429"_s);
            QCOMPARE(view->model()->rowCount(), 1);
            page.findChild<QLineEdit *>(u"proxyLogFilter"_s)->clear();
            QCOMPARE(view->model()->rowCount(), 3);
            const QString png = QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/build-proxy-page.png"_s;
            if (qEnvironmentVariableIsSet("TL_SAVE_SCREENSHOTS"))
                QVERIFY(page.grab().save(png));
            page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(false);
            QTRY_VERIFY_WITH_TIMEOUT(!proxy.isRunning(), 10000);
            QCOMPARE(indicator.text(), tr("Proxy: off"));
        }
        // The key is nowhere in the settings file.
        settings.setValue(u"proxy/flush"_s, 1);
        QVERIFY(!readFile(dir.filePath(u"settings.ini"_s)).contains("PLANTED"));
    }

    // A bind address that is no IP address is refused, with or without an access token (session-9 trial: with
    // "localhost" and a token the page said "Running on :PORT" and the proxy listened on 0.0.0.0).
    void bindAddressThatIsNoAddressIsRefused_data()
    {
        QTest::addColumn<QString>("bind");
        QTest::addColumn<QString>("token");
        QTest::newRow("a name, token set") << u"localhost"_s << u"a-token-of-sixteen-chars"_s;
        QTest::newRow("a typo, token set") << u"not-an-ip"_s << u"a-token-of-sixteen-chars"_s;
        QTest::newRow("a name, no token") << u"localhost"_s << QString();
    }

    void bindAddressThatIsNoAddressIsRefused()
    {
        QFETCH(QString, bind);
        QFETCH(QString, token);
        PageHarness h("proxy/upstream/openai");
        QVERIFY(h.ledger);
        Proxy proxy(*h.ledger);
        ProxyPage page(proxy, h.settings, std::make_shared<MemorySecretStore>());
        page.findChild<QLineEdit *>(u"proxyBind"_s)->setText(bind);
        page.findChild<QLineEdit *>(u"proxyAccessToken"_s)->setText(token);
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
        const QString status = page.findChild<QLabel *>(u"proxyState"_s)->text();
        QVERIFY2(status.contains(u"\"%1\" is not an IP address"_s.arg(bind)), qPrintable(status));
        QVERIFY(!page.findChild<QCheckBox *>(u"proxyEnabled"_s)->isChecked());
        QTest::qWait(200);
        QVERIFY(!proxy.isRunning());
        // The configuration itself refuses a null address too (the CLI's --config path and any other caller).
        ProxyConfig c;
        c.bindAddress = QHostAddress(bind);
        c.accessToken = token.toUtf8();
        c.upstreams = {UpstreamConfig{}};
        c.upstreams[0].id = u"openai"_s;
        c.upstreams[0].baseUrl = QUrl(u"http://127.0.0.1:9/v1"_s);
        QVERIFY(!c.validate());
        QVERIFY(c.validate().error().message.contains(u"not an IP address"_s));
    }

    // A keychain that cannot be read does not stop the proxy, but the page says which upstream runs
    // without its stored key and why; an entry that is simply not there ("clients send their own key")
    // is not a warning.
    void unreadableKeychainIsSaid()
    {
        PageHarness h("proxy/upstream/openai");
        QVERIFY(h.ledger);
        auto secrets = std::make_shared<MemorySecretStore>();
        Proxy proxy(*h.ledger);
        ProxyPage page(proxy, h.settings, secrets);
        auto *enabled = page.findChild<QCheckBox *>(u"proxyEnabled"_s);
        auto *status = page.findChild<QLabel *>(u"proxyState"_s);
        QVERIFY(status);
        const QString said = u"runs without its stored key"_s;

        // Starts the proxy from the page, keeps the status it shows once running, and stops it.
        QString shown;
        auto statusWhileRunning = [&]() {
            enabled->setChecked(true);
            QTRY_VERIFY_WITH_TIMEOUT(proxy.isRunning(), 5000);
            QTRY_VERIFY(status->text().startsWith(u"Running on"_s));
            shown = status->text();
            enabled->setChecked(false);
            QTRY_VERIFY_WITH_TIMEOUT(!proxy.isRunning(), 10000);
        };

        // No entry stored: the normal "clients send their own key" case.
        statusWhileRunning();
        QVERIFY2(!shown.isEmpty() && !shown.contains(said), qPrintable(shown));

        // A locked keychain: the proxy runs, and the status names the upstream and the keychain's reason.
        secrets->lockedReason = u"The keychain refused access to \"proxy/upstream/openai\" (is it unlocked?)."_s;
        statusWhileRunning();
        QVERIFY2(shown.contains(said), qPrintable(shown));
        QVERIFY(shown.contains(u"Upstream openai"_s));
        QVERIFY(shown.contains(u"is it unlocked?"_s));

        // Unlocked again: the next start forgets the warning.
        secrets->lockedReason.clear();
        secrets->entries.insert(u"proxy/upstream/openai"_s, "sk-PLANTED-page-key");
        shown.clear();
        statusWhileRunning();
        QVERIFY2(!shown.isEmpty() && !shown.contains(said), qPrintable(shown));
    }

    // "Request text": the endpoints typed in are saved, reach the proxy's config when it starts, and the
    // field is locked while it runs (the setting takes effect at start).
    void requestTextEndpointsReachTheProxy()
    {
        PageHarness h;
        QVERIFY(h.ledger);
        auto &[dir, upstream, ledger, settings, port] = h;
        Proxy proxy(*ledger);
        {
            ProxyPage page(proxy, settings, std::make_shared<MemorySecretStore>());
            auto *field = page.findChild<QLineEdit *>(u"proxyStoreText"_s);
            QVERIFY(field);
            QVERIFY(field->text().isEmpty()); // off for every endpoint by default
            field->setText(u" notes, chat ,, "_s);
            Q_EMIT field->editingFinished();
            QStringList stored = settings.value(u"proxy/storeTextEndpoints"_s).toStringList();
            stored.sort();
            QCOMPARE(stored, QStringList({u"chat"_s, u"notes"_s}));
            page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
            QTRY_VERIFY_WITH_TIMEOUT(proxy.isRunning(), 5000);
            QCOMPARE(proxy.config().storeTextEndpoints, QSet<QString>({u"chat"_s, u"notes"_s}));
            QVERIFY(!field->isEnabled());
            page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(false);
            QTRY_VERIFY_WITH_TIMEOUT(!proxy.isRunning(), 10000);
            QVERIFY(field->isEnabled());
        }
        // A new page shows what was saved.
        ProxyPage again(proxy, settings, std::make_shared<MemorySecretStore>());
        QCOMPARE(again.findChild<QLineEdit *>(u"proxyStoreText"_s)->text().split(u", "_s).size(), 2);
    }

    // The Savings section shows the policy the Simulator page stored; a semantic hit in the log can be
    // marked wrong, after which the same request goes upstream again.
    void savingsSectionAndMarkSemanticHitWrong()
    {
        PageHarness h;
        QVERIFY(h.ledger);
        auto &[dir, upstream, ledger, settings, port] = h;
        settings.setValue(u"proxy/cacheEnabled"_s, false);
        settings.setValue(u"proxy/savings_policy"_s,
                          QByteArray(R"({"default":{},"endpoints":{"faq":{"semantic_cache":{"enabled":true,"threshold":0.8,)"
                                     R"("ttl_seconds":900},"routing":{"enabled":true,"mode":"shadow"}}}})"));
        Proxy proxy(*ledger);
        ProxyPage page(proxy, settings, std::make_shared<MemorySecretStore>());
        page.resize(1100, 900);
        page.show();
        auto *table = page.findChild<QTableWidget *>(u"proxySavings"_s);
        QVERIFY(table);
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(0, 0)->text(), u"faq"_s);
        QCOMPARE(table->item(0, 1)->text(), u"shadow (record only)"_s);
        QVERIFY(table->item(0, 3)->text().contains(u"0.80"_s));
        QVERIFY(table->item(0, 3)->text().contains(u"900"_s));
        QCOMPARE(table->item(1, 3)->text(), u"off"_s);

        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(proxy.isRunning(), 5000);
        const auto ask = [port](const QString &text) {
            QProcess curl;
            curl.start(u"curl"_s, {u"-s"_s, u"-o"_s, u"/dev/null"_s, u"-H"_s, u"Content-Type: application/json"_s, u"-H"_s,
                                   u"X-TokenLedger-Endpoint: faq"_s, u"-H"_s, u"X-Loopback-Mode: echo"_s, u"--data-binary"_s,
                                   QString::fromLatin1(R"({"model":"gpt-4.1-mini","messages":[{"role":"user","content":")"
                                                       + text.toUtf8() + R"("}]})"),
                                   u"http://127.0.0.1:%1/v1/chat/completions"_s.arg(port)});
            return curl.waitForFinished(10000);
        };
        QVERIFY(ask(u"How long is the warranty of the kettle?"_s));
        QVERIFY(ask(u"How long is the warranty of the kettle, please?"_s));
        QCOMPARE(upstream.requestCount(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(page.logModel()->rowCount(), 2, 5000);
        auto *view = page.findChild<QTableView *>(u"proxyLog"_s);
        auto *markWrong = page.findChild<QPushButton *>(u"proxyMarkWrong"_s);
        QVERIFY(markWrong);
        // Select the miss: nothing to mark. Then the hit (newest first in the model).
        QVERIFY(page.logModel()->record(1).cacheOutcome == CacheOutcome::Miss);
        QVERIFY(page.logModel()->record(0).cacheOutcome == CacheOutcome::SemanticHit);
        auto *filter = qobject_cast<QSortFilterProxyModel *>(view->model());
        view->setCurrentIndex(filter->mapFromSource(page.logModel()->index(1, 0)));
        QVERIFY(!markWrong->isEnabled());
        view->setCurrentIndex(filter->mapFromSource(page.logModel()->index(0, 0)));
        QVERIFY(markWrong->isEnabled());
        QVERIFY(page.logModel()->data(page.logModel()->index(0, ProxyLogModel::Cache)).toString().startsWith(u"semantic 0."_s));
        if (qEnvironmentVariableIsSet("TL_SAVE_SCREENSHOTS"))
            QVERIFY(page.grab().save(QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/build-proxy-page-savings.png"_s));
        markWrong->click();
        QTRY_VERIFY_WITH_TIMEOUT(page.findChild<QLabel *>(u"proxyNotice"_s)->text().contains(u"removed"_s), 5000);
        QVERIFY(page.findChild<QLabel *>(u"proxyState"_s)->text().startsWith(u"Running on"_s)); // the state stays
        QVERIFY(ask(u"How long is the warranty of the kettle, please?"_s));
        QCOMPARE(upstream.requestCount(), 2); // the entry is gone: the paraphrase went upstream

        // A new policy from the Simulator page applies to the running proxy and the table at once.
        settings.setValue(u"proxy/savings_policy"_s, QByteArray(R"({"endpoints":{}})"));
        QCOMPARE(table->rowCount(), 1);
        QVERIFY(ask(u"How long is the warranty of the kettle?"_s));
        QTRY_COMPARE_WITH_TIMEOUT(upstream.requestCount(), 3, 5000); // semantic cache off now: no hit
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(false);
        QTRY_VERIFY_WITH_TIMEOUT(!proxy.isRunning(), 10000);
    }

    // Session-8 trial item 13: "Kind" is chosen from the kinds the proxy knows, not typed; a kind from an
    // older settings file that the proxy does not know ("anthropc") is shown as such and keeps the proxy
    // from starting until a known kind is chosen.
    void upstreamKindIsChosenFromTheKnownKinds()
    {
        PageHarness h;
        QVERIFY(h.ledger);
        h.settings.setValue(u"proxy/upstreams"_s,
                            QByteArray(R"([{"id":"openai","kind":"openai","baseUrl":")" + h.upstream.baseUrl("/v1")
                                       + R"("},{"id":"anthropic","kind":"anthropc","baseUrl":")" + h.upstream.baseUrl()
                                       + R"("}])"));
        Proxy proxy(*h.ledger);
        ProxyPage page(proxy, h.settings, std::make_shared<MemorySecretStore>());
        page.resize(1100, 800);
        page.show();
        const QList<QComboBox *> combos = page.findChildren<QComboBox *>(u"proxyUpstreamKind"_s);
        QCOMPARE(combos.size(), 2);
        QCOMPARE(comboData(combos[0]),
                 QStringList({u"openai"_s, u"anthropic"_s, u"azure"_s, u"openrouter"_s, u"openai-compatible"_s}));
        QCOMPARE(combos[0]->itemText(2), u"Azure OpenAI"_s);
        QCOMPARE(combos[0]->currentData().toString(), u"openai"_s);
        // Every choice is a kind ProxyConfig reads back.
        for (const QString &kind : comboData(combos[0]))
            QVERIFY2(upstreamKindFromString(kind).has_value(), qPrintable(kind));
        // The misspelt kind: shown, said, refused at start.
        QCOMPARE(combos[1]->currentData().toString(), u"anthropc"_s);
        QVERIFY(combos[1]->currentText().contains(u"unknown kind"_s));
        auto *problems = page.findChild<QLabel *>(u"proxyUpstreamProblems"_s);
        QVERIFY(problems && problems->isVisible());
        QVERIFY2(problems->text().contains(u"Row 2 (anthropic)"_s) && problems->text().contains(u"anthropc"_s),
                 qPrintable(problems->text()));
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
        QVERIFY(!proxy.isRunning());
        QVERIFY(!page.findChild<QCheckBox *>(u"proxyEnabled"_s)->isChecked());
        QVERIFY2(page.findChild<QLabel *>(u"proxyState"_s)->text().startsWith(u"Not started: Row 2"_s),
                 qPrintable(page.findChild<QLabel *>(u"proxyState"_s)->text()));
        // Choosing Anthropic: the unknown entry leaves the list, the row is fine, the choice is saved and used.
        combos[1]->setCurrentIndex(combos[1]->findData(u"anthropic"_s));
        QCOMPARE(combos[1]->count(), 5);
        QVERIFY(!problems->isVisible());
        const QJsonArray saved = QJsonDocument::fromJson(h.settings.value(u"proxy/upstreams"_s).toByteArray()).array();
        QCOMPARE(saved.at(1).toObject().value("kind"_L1).toString(), u"anthropic"_s);
        QVERIFY(page.configFromWidgets().upstreams.at(1).kind == UpstreamKind::Anthropic);
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(proxy.isRunning(), 5000);
        QVERIFY(proxy.config().upstreams.at(1).kind == UpstreamKind::Anthropic);
        QVERIFY(!page.findChild<QWidget *>(u"proxyUpstreamEditor"_s)->isEnabled()); // locked while running
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(false);
        QTRY_VERIFY_WITH_TIMEOUT(!proxy.isRunning(), 10000);
    }

    // Item 13: rows are added and removed with the buttons and with Insert / Delete on the table; each
    // row is checked where it is (a base URL without scheme, a repeated name), and the list under the
    // table names the row.
    void upstreamRowsAreAddedRemovedAndChecked()
    {
        PageHarness h;
        QVERIFY(h.ledger);
        Proxy proxy(*h.ledger);
        ProxyPage page(proxy, h.settings, std::make_shared<MemorySecretStore>());
        page.resize(1100, 800);
        page.show();
        auto *table = page.findChild<QTableWidget *>(u"proxyUpstreams"_s);
        auto *problems = page.findChild<QLabel *>(u"proxyUpstreamProblems"_s);
        QVERIFY(table && problems);
        const auto savedIds = [&]() {
            QStringList ids;
            for (const QJsonValue &v : QJsonDocument::fromJson(h.settings.value(u"proxy/upstreams"_s).toByteArray()).array())
                ids << v.toObject().value("id"_L1).toString() + u'=' + v.toObject().value("kind"_L1).toString();
            return ids;
        };
        QCOMPARE(table->rowCount(), 1);
        page.findChild<QPushButton *>(u"proxyAddUpstream"_s)->click();
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(1, UpstreamEditor::Name)->text(), u"anthropic"_s);
        QCOMPARE(table->item(1, UpstreamEditor::BaseUrl)->text(), u"https://api.anthropic.com"_s);
        QCOMPARE(table->item(1, UpstreamEditor::KeychainEntry)->text(), u"proxy/upstream/anthropic"_s);
        QCOMPARE(savedIds(), QStringList({u"openai=openai"_s, u"anthropic=anthropic"_s}));
        // Insert on the table (no cell being edited) adds the next kind.
        QTest::keyClick(table, Qt::Key_Insert);
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(table->item(2, UpstreamEditor::Name)->text(), u"openrouter"_s);
        QCOMPARE(table->item(2, UpstreamEditor::BaseUrl)->text(), u"https://openrouter.ai/api/v1"_s);
        QVERIFY(!problems->isVisible());
        // Kind changed to Azure: the default URL and name follow; Azure has no default URL, so the row says so.
        auto *kind = qobject_cast<QComboBox *>(table->cellWidget(2, UpstreamEditor::Kind));
        kind->setCurrentIndex(kind->findData(u"azure"_s));
        QCOMPARE(table->item(2, UpstreamEditor::Name)->text(), u"azure"_s);
        QCOMPARE(table->item(2, UpstreamEditor::KeychainEntry)->text(), u"proxy/upstream/azure"_s);
        QVERIFY(problems->isVisible());
        QVERIFY2(problems->text().contains(u"Row 3 (azure): needs a base URL"_s), qPrintable(problems->text()));
        // No scheme: said at the row (icon and tooltip on the cell) and under the table.
        table->item(2, UpstreamEditor::BaseUrl)->setText(u"myres.openai.azure.com/openai/deployments/gpt4o"_s);
        QVERIFY2(problems->text().contains(u"needs http:// or https:// in front"_s), qPrintable(problems->text()));
        QVERIFY(table->item(2, UpstreamEditor::BaseUrl)->toolTip().contains(u"http://"_s));
        QVERIFY(!table->item(2, UpstreamEditor::BaseUrl)->data(Qt::DecorationRole).isNull());
        QVERIFY(table->item(1, UpstreamEditor::BaseUrl)->data(Qt::DecorationRole).isNull());
        table->item(2, UpstreamEditor::BaseUrl)->setText(u"https://myres.openai.azure.com/openai/deployments/gpt4o"_s);
        QVERIFY(!problems->isVisible());
        QVERIFY(table->item(2, UpstreamEditor::BaseUrl)->data(Qt::DecorationRole).isNull());
        // A repeated name: both rows say it.
        table->item(2, UpstreamEditor::Name)->setText(u"openai"_s);
        QVERIFY2(problems->text().contains(u"Row 1 (openai): another upstream is also named \"openai\""_s)
                     && problems->text().contains(u"Row 3 (openai)"_s),
                 qPrintable(problems->text()));
        QVERIFY(!table->item(0, UpstreamEditor::Name)->toolTip().isEmpty());
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
        QVERIFY(!proxy.isRunning());
        QVERIFY(page.findChild<QLabel *>(u"proxyState"_s)->text().contains(u"also named"_s));
        // Delete on the table removes the current row; the Remove button the next one.
        table->setCurrentCell(2, UpstreamEditor::Name);
        QTest::keyClick(table, Qt::Key_Delete);
        QCOMPARE(table->rowCount(), 2);
        QVERIFY(!problems->isVisible());
        QCOMPARE(savedIds(), QStringList({u"openai=openai"_s, u"anthropic=anthropic"_s}));
        table->setCurrentCell(1, UpstreamEditor::Name);
        page.findChild<QPushButton *>(u"proxyRemoveUpstream"_s)->click();
        QCOMPARE(savedIds(), QStringList({u"openai=openai"_s}));
        // The last one removed: nothing to start with, and an empty list stays empty on the next page.
        table->setCurrentCell(0, UpstreamEditor::Name);
        page.findChild<QPushButton *>(u"proxyRemoveUpstream"_s)->click();
        QCOMPARE(table->rowCount(), 0);
        QVERIFY(problems->text().contains(u"Add at least one upstream"_s));
        ProxyPage again(proxy, h.settings, std::make_shared<MemorySecretStore>());
        QCOMPARE(again.findChild<QTableWidget *>(u"proxyUpstreams"_s)->rowCount(), 0);
    }

    // Item 14: the log has a Path column (GET /v1/models shows as such, not as an empty model), the Time
    // column is sorted descending with the newest row on top, and the arrow drawn points down.
    void logShowsPathsNewestFirstWithADownArrow()
    {
        PageHarness h;
        QVERIFY(h.ledger);
        Proxy proxy(*h.ledger);
        ProxyPage page(proxy, h.settings, std::make_shared<MemorySecretStore>());
        page.resize(1100, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        // An empty log says how to fill it, over the whole viewport; stopped, then running (with the port).
        QLabel *empty = page.logEmptyState();
        QVERIFY(empty && empty->isVisible());
        QVERIFY2(empty->text().contains(u"Run the proxy"_s), qPrintable(empty->text()));
        QCOMPARE(empty->geometry(), page.logView()->viewport()->rect());
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(proxy.isRunning(), 5000);
        QTRY_VERIFY(empty->text().contains(u"127.0.0.1:%1"_s.arg(h.port)));
        QVERIFY(empty->isVisible());
        QVERIFY(curlProxy(h.port, u"POST"_s, u"/v1/chat/completions"_s));
        QTRY_COMPARE_WITH_TIMEOUT(page.logModel()->rowCount(), 1, 5000);
        QVERIFY(!empty->isVisible()); // rows show: no text over them
        page.findChild<QLineEdit *>(u"proxyLogFilter"_s)->setText(u"no-such-endpoint"_s);
        QCOMPARE(page.logView()->model()->rowCount(), 0);
        QVERIFY(empty->isVisible());
        QCOMPARE(empty->text(), u"No request in the log matches “no-such-endpoint”."_s);
        QCOMPARE(empty->textFormat(), Qt::PlainText); // the filter as typed, never read as markup
        page.findChild<QLineEdit *>(u"proxyLogFilter"_s)->clear();
        QVERIFY(!empty->isVisible());
        QVERIFY(curlProxy(h.port, u"GET"_s, u"/v1/models?limit=5"_s));
        QTRY_COMPARE_WITH_TIMEOUT(page.logModel()->rowCount(), 2, 5000);
        QTableView *view = page.logView();
        QCOMPARE(view->model()->headerData(ProxyLogModel::Path, Qt::Horizontal).toString(), u"Path"_s);
        QCOMPARE(view->model()->index(0, ProxyLogModel::Path).data().toString(), u"GET /v1/models"_s); // no query
        QCOMPARE(view->model()->index(1, ProxyLogModel::Path).data().toString(), u"POST /v1/chat/completions"_s);
        page.findChild<QLineEdit *>(u"proxyLogFilter"_s)->setText(u"/v1/models"_s);
        QCOMPARE(view->model()->rowCount(), 1);
        page.findChild<QLineEdit *>(u"proxyLogFilter"_s)->clear();
        QHeaderView *header = view->horizontalHeader();
        QCOMPARE(header->sortIndicatorSection(), int(ProxyLogModel::Time));
        QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
        QVERIFY(view->model()->index(0, ProxyLogModel::Time).data(ProxyLogModel::SortRole).toLongLong()
                >= view->model()->index(1, ProxyLogModel::Time).data(ProxyLogModel::SortRole).toLongLong());
        QCOMPARE(sortArrowDirection(header, ProxyLogModel::Time), 1);
        // Clicked to ascending: oldest first, and the arrow turns.
        view->sortByColumn(ProxyLogModel::Time, Qt::AscendingOrder);
        QCOMPARE(view->model()->index(0, ProxyLogModel::Path).data().toString(), u"POST /v1/chat/completions"_s);
        QCOMPARE(sortArrowDirection(header, ProxyLogModel::Time), -1);
        view->sortByColumn(ProxyLogModel::Time, Qt::DescendingOrder);
        if (const QString dir = qEnvironmentVariable("TOKENLEDGER_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(page.grab().save(dir + u"/proxy-page-log-en-light.png"_s));
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(false);
        QTRY_VERIFY_WITH_TIMEOUT(!proxy.isRunning(), 10000);
    }

    // Session-10 brief item 4: a background response's record is pending when it is created; when a later
    // retrieve settles it, its row in the live log shows the usage, cost and status, and its details the
    // settled record. Before: the row said "pending" for ever (the dashboard, fed by pricingChanged, and the
    // ledger had the cost).
    void settledPendingRecordUpdatesItsLogRow()
    {
        PageHarness h;
        QVERIFY(h.ledger);
        Proxy proxy(*h.ledger);
        ProxyPage page(proxy, h.settings, std::make_shared<MemorySecretStore>());
        QAbstractItemModelTester tester(page.logModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.resize(1100, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(proxy.isRunning(), 5000);
        const auto curlOut = [&](const QString &method, const QString &path, const QByteArray &body) {
            QProcess curl;
            QStringList args {u"-s"_s, u"-X"_s, method, u"-H"_s, u"Authorization: Bearer sk-page-caller"_s};
            if (!body.isEmpty())
                args << u"-H"_s << u"Content-Type: application/json"_s << u"--data-binary"_s
                     << QString::fromLatin1(body);
            curl.start(u"curl"_s, args << u"http://127.0.0.1:%1%2"_s.arg(h.port).arg(path));
            return curl.waitForFinished(10000) ? curl.readAllStandardOutput() : QByteArray();
        };
        const QByteArray created
            = curlOut(u"POST"_s, u"/v1/responses"_s, R"({"model":"gpt-5","input":"Write a haiku","background":true})");
        const QString id = QJsonDocument::fromJson(created).object().value("id"_L1).toString();
        QVERIFY2(id.startsWith(u"resp_bg"_s), created.constData());
        QTRY_COMPARE_WITH_TIMEOUT(page.logModel()->rowCount(), 1, 5000);
        QTableView *view = page.logView();
        const auto cell = [&](int row, int column) { return view->model()->index(row, column).data().toString(); };
        QCOMPARE(cell(0, ProxyLogModel::Tokens), u"pending"_s);
        QCOMPARE(cell(0, ProxyLogModel::Cost), u"pending"_s);
        const qint64 createId = page.logModel()->record(0).id;

        const QByteArray done = curlOut(u"GET"_s, u"/v1/responses/"_s + id, {});
        QCOMPARE(QJsonDocument::fromJson(done).object().value("status"_L1).toString(), u"completed"_s);
        QTRY_COMPARE_WITH_TIMEOUT(page.logModel()->rowCount(), 2, 5000);
        // The create is the older row (the log is newest first); the retrieve is a free call of its own.
        QCOMPARE(page.logModel()->record(1).id, createId);
        QTRY_VERIFY_WITH_TIMEOUT(cell(1, ProxyLogModel::Cost) != u"pending"_s, 5000);
        // The c1 fixture's usage at gpt-5's price: 904 x 1,250 + 4,096 x 125 + 900 x 10,000 nano-USD.
        const NanoUsd c1Cost = 904 * 1'250 + 4'096 * 125 + 900 * 10'000;
        QCOMPARE(cell(1, ProxyLogModel::Cost), formatUsd(c1Cost, 4));
        QCOMPARE(cell(1, ProxyLogModel::Tokens), QLocale().toString(5000 + 900));
        QCOMPARE(cell(1, ProxyLogModel::Status), u"200"_s);
        QCOMPARE(view->model()->index(1, ProxyLogModel::Cost).data(ProxyLogModel::SortRole).toLongLong(), c1Cost);
        const CallRecord &settled = page.logModel()->record(1);
        QCOMPARE(toString(settled.usageStatus), toString(UsageStatus::Complete));
        QCOMPARE(toString(settled.costStatus), toString(CostStatus::Exact));
        QCOMPARE(settled.priceEntry, u"openai/gpt-5"_s);
        QCOMPARE(cell(0, ProxyLogModel::Cost), formatUsd(0, 4)); // the retrieve: free
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(false);
        QTRY_VERIFY_WITH_TIMEOUT(!proxy.isRunning(), 10000);
    }

    // A settlement can reach the log before its record does (records come in batches every 100 ms; a quick
    // retrieve settles sooner): it is kept and applied when the row comes. One for a record never shown
    // (another run's) changes nothing.
    void logModelAppliesASettlementThatCameFirst()
    {
        ProxyLogModel model(10);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        CallRecord pending = makeRecord(1'000'000, u"bg"_s, u"openai"_s, u"gpt-5"_s, 0, 0);
        pending.id = 41;
        pending.usage = {};
        pending.usageStatus = UsageStatus::Pending;
        pending.cost.reset();
        pending.costStatus = CostStatus::Unpriced;
        PendingUsage::Settled settled;
        settled.id = 41;
        settled.usage.promptTokens = 100;
        settled.usage.completionTokens = 20;
        settled.usageStatus = UsageStatus::Complete;
        settled.cost = 12'345;
        settled.costStatus = CostStatus::Exact;
        settled.priceEntry = u"openai/gpt-5"_s;
        PendingUsage::Settled other = settled;
        other.id = 7; // never appended
        model.applySettlement(other);
        model.applySettlement(settled);
        QCOMPARE(model.rowCount(), 0);
        model.append({pending});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0, ProxyLogModel::Cost)).toString(), formatUsd(12'345, 4));
        QCOMPARE(model.data(model.index(0, ProxyLogModel::Tokens), ProxyLogModel::SortRole).toLongLong(), 120);
        QCOMPARE(toString(model.record(0).usageStatus), toString(UsageStatus::Complete));
        // A later settlement of a row in the log updates it in place.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        settled.cost = 99'999;
        model.applySettlement(settled);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.data(model.index(0, ProxyLogModel::Cost), ProxyLogModel::SortRole).toLongLong(), 99'999);
    }

    // Session 14 (a gap docs/proxy.md named in session 13): since session 13 the ledger amends the record of an
    // answer its client did not take whole (cut off at the write timeout: client_stalled), but the live log's
    // row kept its first status, "200", for ever. Now the amendment reaches the row (Proxy::recordMarkedCut):
    // it shows "200 client_stalled", and the log's filter finds it by that kind. Real proxy, a 32 MiB answer
    // from a loopback upstream, a raw client that never reads, a 500 ms client write timeout.
    void answerCutAfterItWasRecordedUpdatesItsLogRow()
    {
        BigUpstream big(32 * 1024 * 1024);
        PageHarness h;
        QVERIFY(h.ledger);
        h.settings.setValue(u"proxy/upstreams"_s,
                            QByteArray(R"([{"id":"openai","kind":"openai","baseUrl":")" + big.baseUrl() + R"("}])"));
        h.settings.setValue(u"proxy/clientWriteTimeoutMs"_s, 500);
        Proxy proxy(*h.ledger);
        ProxyPage page(proxy, h.settings, std::make_shared<MemorySecretStore>());
        ProxyLogModel *log = page.logModel();
        QAbstractItemModelTester tester(log, QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.resize(1100, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QStringList firstStatus; // what each row's Status cell said when it came
        connect(log, &QAbstractItemModel::rowsInserted, &page, [&](const QModelIndex &, int first, int last) {
            for (int row = first; row <= last; ++row)
                firstStatus << log->index(row, ProxyLogModel::Status).data().toString();
        });
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(proxy.isRunning(), 5000);
        QCOMPARE(proxy.config().clientWriteTimeoutMs, 500);

        const QByteArray body
            = R"({"model":"gpt-4o-mini-2024-07-18","messages":[{"role":"user","content":"Write a long answer"}]})";
        QTcpSocket client;
        client.setReadBufferSize(64 * 1024);
        client.connectToHost(QHostAddress::LocalHost, h.port);
        QVERIFY(client.waitForConnected(3000));
        client.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Authorization: Bearer sk-page-test\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QVERIFY(client.waitForBytesWritten(3000)); // and never reads the answer
        QTRY_COMPARE_WITH_TIMEOUT(log->rowCount(), 1, 20000);
        QCOMPARE(firstStatus, QStringList {u"200"_s}); // recorded whole, before the client took it
        QLineEdit *filter = page.findChild<QLineEdit *>(u"proxyLogFilter"_s);
        filter->setText(u"client_stalled"_s);
        QTableView *view = page.logView();
        QCOMPARE(view->model()->rowCount(), 0);

        // Cut off at the write timeout: the ledger amends the record, and the row follows (before: "200").
        QTRY_COMPARE_WITH_TIMEOUT(log->index(0, ProxyLogModel::Status).data().toString(), u"200 client_stalled"_s,
                                  15000);
        QCOMPARE(log->record(0).errorKind, u"client_stalled"_s); // what the details dialog shows
        QCOMPARE(log->record(0).httpStatus, 200);
        QCOMPARE(view->model()->rowCount(), 1); // the filter finds it by its new kind
        QCOMPARE(view->model()->index(0, ProxyLogModel::Status).data().toString(), u"200 client_stalled"_s);
        QCOMPARE(log->rowCount(), 1);
        filter->clear();
        // The row says what the ledger's record says.
        RecordQuery q;
        q.fromUs = 0;
        q.toUs = std::numeric_limits<qint64>::max();
        auto records = h.ledger->records(q);
        QTRY_VERIFY_WITH_TIMEOUT(records.isFinished(), 10000);
        QVERIFY(records.result().has_value());
        QCOMPARE(records.result()->size(), 1);
        QCOMPARE(records.result()->first().id, log->record(0).id);
        QCOMPARE(records.result()->first().errorKind, u"client_stalled"_s);
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(false);
        QTRY_VERIFY_WITH_TIMEOUT(!proxy.isRunning(), 10000);
    }

    // An amendment can reach the log before its record does (records come in batches every 100 ms; a client
    // that hangs up at once is marked sooner): it is kept and applied when the row comes, as a settlement is.
    void logModelAppliesACutThatCameFirst()
    {
        ProxyLogModel model(10);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        CallRecord answered = makeRecord(1'000'000, u"chat"_s, u"openai"_s, u"gpt-4o"_s, 10, 5);
        answered.id = 52;
        answered.httpStatus = 200;
        CallRecord other = answered;
        other.id = 53;
        model.applyCut(52, u"client_closed"_s);
        model.applyCut(7, u"client_stalled"_s); // never appended: changes nothing
        QCOMPARE(model.rowCount(), 0);
        model.append({answered, other});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.record(1).id, 52);
        QCOMPARE(model.data(model.index(1, ProxyLogModel::Status)).toString(), u"200 client_closed"_s);
        QCOMPARE(model.data(model.index(0, ProxyLogModel::Status)).toString(), u"200"_s);
        // A row in the log is amended in place.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.applyCut(53, u"shutdown"_s);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 0);
        QCOMPARE(model.data(model.index(0, ProxyLogModel::Status)).toString(), u"200 shutdown"_s);
        QCOMPARE(model.record(0).errorKind, u"shutdown"_s);
    }

    // Item 14: Enter (or a double-click) on a log row opens a resizable details dialog with the record's
    // fields in words and its JSON to copy; "Cache cleared." and other results go to the notice label,
    // not over "Running on ...".
    void detailsDialogAndNoticesShowTheRecord()
    {
        PageHarness h;
        QVERIFY(h.ledger);
        Proxy proxy(*h.ledger);
        ProxyPage page(proxy, h.settings, std::make_shared<MemorySecretStore>());
        page.resize(1100, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        CallRecord r = makeRecord(1700000000000000, u"support-bot"_s, u"anthropic"_s, u"claude-sonnet-4-5"_s, 1200, 300);
        r.id = 42;
        r.requestPath = u"POST /v1/messages"_s;
        r.usage.cachedTokens = 1000;
        r.usage.reasoningTokens = 120;
        r.cost = 1234567; // nano-USD
        r.costStatus = CostStatus::Exact;
        r.priceEntry = u"anthropic/claude-sonnet-4-5"_s;
        r.priceVersion = u"genai-prices-0.1.8"_s;
        r.httpStatus = 200;
        r.latencyUs = 1532000;
        r.ttftUs = 410000;
        r.cacheOutcome = CacheOutcome::Miss;
        CallRecord unpriced = makeRecord(1700000001000000, u"batch"_s, u"openai"_s, u"my-finetune"_s, 10, 5);
        unpriced.id = 43;
        unpriced.cost.reset();
        unpriced.costStatus = CostStatus::Unpriced;
        unpriced.httpStatus = 429;
        unpriced.errorKind = u"rate_limit"_s;
        page.logModel()->append({r, unpriced});
        QTableView *view = page.logView();
        auto *filter = qobject_cast<QSortFilterProxyModel *>(view->model());
        view->setCurrentIndex(filter->mapFromSource(page.logModel()->index(1, ProxyLogModel::Time)));
        QTest::keyClick(view, Qt::Key_Return);
        auto *dialog = page.findChild<RecordDetailsDialog *>(u"proxyRecordDetails"_s);
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QVERIFY(dialog->isSizeGripEnabled());
        QVERIFY(dialog->width() >= 600);
        dialog->resize(900, 700);
        QCOMPARE(dialog->size(), QSize(900, 700));
        const auto field = [&](const char *name) {
            auto *label = dialog->findChild<QLabel *>(u"recordDetail_"_s + QLatin1StringView(name));
            return label ? label->text() : u"(missing)"_s;
        };
        QCOMPARE(field("path"), u"POST /v1/messages"_s);
        QCOMPARE(field("endpoint"), u"support-bot"_s);
        QCOMPARE(field("status"), u"200"_s);
        QCOMPARE(field("error"), u"none"_s);
        QCOMPARE(field("tokens"), u"prompt 1,200 (1,000 cache read), completion 300 (120 reasoning)"_s);
        QCOMPARE(field("cost"), formatUsd(1234567, 6) + u"; price anthropic/claude-sonnet-4-5, genai-prices-0.1.8"_s);
        QVERIFY2(field("cost").startsWith(u"$0.00123"_s), qPrintable(field("cost")));
        QCOMPARE(field("cache"), u"miss (answered by the provider and stored)"_s);
        QCOMPARE(field("latency"), Format::latency(1532000) + u"; first token after "_s + Format::latency(410000));
        QCOMPARE(field("id"), u"42"_s);
        const QString json = dialog->findChild<QPlainTextEdit *>(u"recordDetailJson"_s)->toPlainText();
        QVERIFY(json.contains(u"\"request_path\": \"POST /v1/messages\""_s));
        QCOMPARE(json, dialog->json());
        dialog->findChild<QPushButton *>(u"recordDetailCopy"_s)->click();
        QCOMPARE(QApplication::clipboard()->text(), dialog->json());
        if (const QString dir = qEnvironmentVariable("TOKENLEDGER_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(dialog->grab().save(dir + u"/proxy-record-details-en-light.png"_s));
        dialog->close();
        QTRY_VERIFY(!page.findChild<RecordDetailsDialog *>()); // deleted on close

        // The unpriced 429: no $0, the error named.
        view->setCurrentIndex(filter->mapFromSource(page.logModel()->index(0, ProxyLogModel::Time)));
        QTest::keyClick(view, Qt::Key_Return);
        dialog = page.findChild<RecordDetailsDialog *>(u"proxyRecordDetails"_s);
        QVERIFY(dialog);
        QCOMPARE(field("cost"), u"unpriced (no price for this model)"_s);
        QCOMPARE(field("error"), u"rate_limit"_s);
        QCOMPARE(field("status"), u"429"_s);
        QCOMPARE(field("path"), u"(not known)"_s);
        dialog->close();

        // Notices leave the state alone.
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(proxy.isRunning(), 5000);
        auto *state = page.findChild<QLabel *>(u"proxyState"_s);
        auto *notice = page.findChild<QLabel *>(u"proxyNotice"_s);
        QTRY_VERIFY(state->text().startsWith(u"Running on"_s));
        page.findChild<QPushButton *>(u"proxyClearCache"_s)->click();
        QTRY_COMPARE(notice->text(), u"Cache cleared."_s);
        QVERIFY(notice->isVisible());
        QVERIFY(state->text().startsWith(u"Running on"_s));
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(false);
        QTRY_VERIFY_WITH_TIMEOUT(!proxy.isRunning(), 10000);
    }

    // Item 8 (UI half): the snippet gives OPENAI_API_KEY=tokenledger only for an upstream whose key is in
    // the keychain, and says that the client's own key passes through otherwise; a key saved from the page
    // turns the note into the export line.
    void snippetNamesTheKeychainKeyPlaceholder()
    {
        PageHarness h("proxy/upstream/openai");
        QVERIFY(h.ledger);
        auto secrets = std::make_shared<MemorySecretStore>();
        secrets->entries.insert(u"proxy/upstream/openai"_s, "sk-PLANTED-snippet");
        Proxy proxy(*h.ledger);
        ProxyPage page(proxy, h.settings, secrets);
        auto *snippetBox = page.findChild<QPlainTextEdit *>(u"proxySnippet"_s);
        QTRY_VERIFY(page.snippet().contains(u"export OPENAI_API_KEY=tokenledger\n"_s));
        QVERIFY(page.snippet().startsWith(u"export OPENAI_BASE_URL=http://127.0.0.1:%1/v1\n"_s.arg(h.port)));
        QVERIFY(page.snippet().contains(u"# OPENAI_API_KEY=tokenledger: the proxy sends the key kept in the keychain for upstream \"openai\"."_s));
        QCOMPARE(snippetBox->toPlainText(), page.snippet());
        QVERIFY(!page.snippet().contains(u"ANTHROPIC"_s));
        QVERIFY(!page.snippet().contains(u"PLANTED"_s));
        // An Anthropic upstream without a key: its base URL and the pass-through note, no placeholder.
        page.findChild<QPushButton *>(u"proxyAddUpstream"_s)->click();
        QTRY_VERIFY(page.snippet().contains(u"export ANTHROPIC_BASE_URL=http://127.0.0.1:%1\n"_s.arg(h.port)));
        QVERIFY(page.snippet().contains(u"# Upstream \"anthropic\" has no key in the keychain: set ANTHROPIC_API_KEY to your own key; the proxy passes it on."_s));
        QVERIFY(!page.snippet().contains(u"ANTHROPIC_API_KEY=tokenledger"_s));
        // A key saved for it from the page.
        auto *table = page.findChild<QTableWidget *>(u"proxyUpstreams"_s);
        table->setCurrentCell(1, UpstreamEditor::KeychainEntry);
        page.findChild<QLineEdit *>(u"proxyUpstreamKey"_s)->setText(u"sk-ant-PLANTED"_s);
        page.findChild<QPushButton *>(u"proxySaveKey"_s)->click();
        QTRY_VERIFY(page.snippet().contains(u"export ANTHROPIC_API_KEY=tokenledger\n"_s));
        QCOMPARE(secrets->entries.value(u"proxy/upstream/anthropic"_s), QByteArray("sk-ant-PLANTED"));
        QTRY_COMPARE(page.findChild<QLabel *>(u"proxyNotice"_s)->text(),
                     u"Key saved in the keychain as \"proxy/upstream/anthropic\"; it applies the next time the proxy starts."_s);
        // A third upstream of the OpenAI dialect is reached with the upstream header.
        page.findChild<QPushButton *>(u"proxyAddUpstream"_s)->click();
        QTRY_VERIFY(page.snippet().contains(u"X-TokenLedger-Upstream: openrouter and your own key"_s));
        QVERIFY(!page.snippet().contains(u"PLANTED"_s));
        // While running, what the proxy read at its start decides.
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(proxy.isRunning(), 5000);
        QVERIFY(page.snippet().contains(u"export OPENAI_API_KEY=tokenledger\n"_s));
        QVERIFY(page.snippet().contains(u"export ANTHROPIC_API_KEY=tokenledger\n"_s));
        page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(false);
        QTRY_VERIFY_WITH_TIMEOUT(!proxy.isRunning(), 10000);
        // An IPv6 bind address is bracketed in the URLs (session-11 trial: "http://::1:PORT" is no URL), and
        // listening on every address means clients here use the loopback one.
        auto *bind = page.findChild<QLineEdit *>(u"proxyBind"_s);
        bind->setText(u"::1"_s);
        QVERIFY(page.snippet().startsWith(u"export OPENAI_BASE_URL=http://[::1]:%1/v1\n"_s.arg(h.port)));
        bind->setText(u"::"_s);
        QVERIFY(page.snippet().startsWith(u"export OPENAI_BASE_URL=http://[::1]:%1/v1\n"_s.arg(h.port)));
        bind->setText(u"0.0.0.0"_s);
        QVERIFY(page.snippet().startsWith(u"export OPENAI_BASE_URL=http://127.0.0.1:%1/v1\n"_s.arg(h.port)));
    }

    // Item 15: `tokenledger screenshot --page proxy` renders with a copy of the saved settings (here a
    // port and an extra upstream), leaves them unchanged, and --default-settings renders the defaults: the
    // PNG with saved settings differs from the default one, and one with no saved settings equals it.
    void screenshotCommandUsesTheSavedSettings()
    {
        const QString bin = qEnvironmentVariable("TOKENLEDGER_BIN");
        if (bin.isEmpty())
            QSKIP("TOKENLEDGER_BIN is not set (run through ctest)");
        QTemporaryDir dir;
        {
            auto ledger = Ledger::open(dir.filePath(u"ledger.sqlite"_s), builtInBook());
            QVERIFY(ledger);
        }
        const QString saved = dir.filePath(u"config/TokenLedger/TokenLedger.conf"_s);
        {
            QSettings user(saved, QSettings::IniFormat);
            user.setValue(u"proxy/port"_s, 18801);
            user.setValue(u"proxy/upstreams"_s,
                          QJsonDocument(QJsonArray{QJsonObject{{"id"_L1, u"openai"_s}, {"kind"_L1, u"openai"_s},
                                                               {"baseUrl"_L1, u"http://127.0.0.1:19100/v1"_s}},
                                                   QJsonObject{{"id"_L1, u"openrouter"_s}, {"kind"_L1, u"openrouter"_s},
                                                               {"baseUrl"_L1, u"https://openrouter.ai/api/v1"_s}}})
                              .toJson(QJsonDocument::Compact));
            user.setValue(u"proxy/storeTextEndpoints"_s, QStringList{u"textep"_s});
        }
        const QByteArray before = readFile(saved);
        QVERIFY(!before.isEmpty());
        const auto shoot = [&](const QString &configHome, const QString &png, const QStringList &extra) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(u"XDG_CONFIG_HOME"_s, configHome);
            env.insert(u"XDG_DATA_HOME"_s, dir.filePath(u"data"_s));
            p.setProcessEnvironment(env);
            p.start(bin, QStringList{u"screenshot"_s, u"--db"_s, dir.filePath(u"ledger.sqlite"_s), u"--page"_s, u"proxy"_s,
                                     u"--size"_s, u"1200x800"_s, u"--out"_s, png} + extra);
            if (!p.waitForFinished(90000) || p.exitCode() != 0) {
                qWarning() << p.readAllStandardError();
                return QImage();
            }
            return QImage(png);
        };
        const QImage withSaved = shoot(dir.filePath(u"config"_s), dir.filePath(u"saved.png"_s), {});
        const QImage defaults = shoot(dir.filePath(u"config"_s), dir.filePath(u"defaults.png"_s), {u"--default-settings"_s});
        const QImage nothingSaved = shoot(dir.filePath(u"empty-config"_s), dir.filePath(u"nothing.png"_s), {});
        QVERIFY(!withSaved.isNull() && !defaults.isNull() && !nothingSaved.isNull());
        QCOMPARE(withSaved.size(), defaults.size());
        QVERIFY(withSaved != defaults);
        QVERIFY(nothingSaved == defaults);
        QCOMPARE(readFile(saved), before); // the user's settings are not written
    }

    // The page and the details dialog in English and Chinese, light and dark: the new strings are
    // translated. With TOKENLEDGER_SCREENSHOT_DIR set each is saved as PNG. Runs last: it installs a
    // translator, removed again at the end of each row.
    void pageAndDetailsRender_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("theme");
        QTest::newRow("English, light") << u"en"_s << u"light"_s;
        QTest::newRow("English, dark") << u"en"_s << u"dark"_s;
        QTest::newRow("Chinese, light") << u"zh_CN"_s << u"light"_s;
        QTest::newRow("Chinese, dark") << u"zh_CN"_s << u"dark"_s;
    }
    void pageAndDetailsRender()
    {
        QFETCH(QString, language);
        QFETCH(QString, theme);
        if (language != u"en"_s)
            QCOMPARE(Translations::install(language), language);
        Theme::apply(theme);
        const auto restore = qScopeGuard([] {
            for (QTranslator *t : QCoreApplication::instance()->findChildren<QTranslator *>())
                QCoreApplication::removeTranslator(t);
            QLocale::setDefault(QLocale::c());
            Theme::apply(u"light"_s);
        });
        PageHarness h("proxy/upstream/openai");
        QVERIFY(h.ledger);
        h.settings.setValue(u"proxy/upstreams"_s,
                            QByteArray(R"([{"id":"openai","kind":"openai","baseUrl":"https://api.openai.com/v1","keychainEntry":"proxy/upstream/openai"},)"
                                       R"({"id":"anthropic","kind":"anthropic","baseUrl":"https://api.anthropic.com","keychainEntry":"proxy/upstream/anthropic"},)"
                                       R"({"id":"local","kind":"openai-compatible","baseUrl":"localhost:8000/v1"}])"));
        auto secrets = std::make_shared<MemorySecretStore>();
        secrets->entries.insert(u"proxy/upstream/openai"_s, "sk-x");
        Proxy proxy(*h.ledger);
        ProxyPage page(proxy, h.settings, secrets);
        page.resize(1280, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        CallRecord r = makeRecord(1700000000000000, u"support-bot"_s, u"openai"_s, u"gpt-4o"_s, 1200, 300);
        r.id = 7;
        r.requestPath = u"POST /v1/chat/completions"_s;
        r.usage.cachedTokens = 1024;
        r.cost = 4500000;
        r.costStatus = CostStatus::Exact;
        r.latencyUs = 900000;
        r.cacheOutcome = CacheOutcome::Miss;
        CallRecord models = makeRecord(1700000002000000, u"untagged"_s, u""_s, u""_s, 0, 0);
        models.id = 8;
        models.requestPath = u"GET /v1/models"_s;
        models.cost = 0;
        page.logModel()->append({r, models});
        QTRY_VERIFY(page.snippet().contains(u"OPENAI_API_KEY=tokenledger"_s));
        const bool zh = language == u"zh_CN"_s;
        QCOMPARE(page.findChild<QPushButton *>(u"proxyAddUpstream"_s)->text(), zh ? u"添加上游"_s : u"Add upstream"_s);
        QCOMPARE(page.logView()->model()->headerData(ProxyLogModel::Path, Qt::Horizontal).toString(), zh ? u"路径"_s : u"Path"_s);
        QCOMPARE(Theme::isDark(page.palette()), theme == u"dark"_s);
        page.logView()->setCurrentIndex(page.logView()->model()->index(1, 0));
        QTest::keyClick(page.logView(), Qt::Key_Return);
        auto *dialog = page.findChild<RecordDetailsDialog *>(u"proxyRecordDetails"_s);
        QVERIFY(dialog);
        QCOMPARE(dialog->windowTitle(), zh ? u"请求记录 7"_s : u"Request record 7"_s);
        if (const QString dir = qEnvironmentVariable("TOKENLEDGER_SCREENSHOT_DIR"); !dir.isEmpty()) {
            const QString name = u"%1-%2"_s.arg(language, theme);
            QVERIFY(page.grab().save(dir + u"/proxy-page-"_s + name + u".png"_s));
            QVERIFY(page.findChild<QScrollArea *>(u"proxySettingsScroll"_s)->widget()->grab().save(
                dir + u"/proxy-page-settings-"_s + name + u".png"_s));
            QVERIFY(dialog->grab().save(dir + u"/proxy-record-details-"_s + name + u".png"_s));
        }
        dialog->close();
    }

    // "Limits and timeouts": collapsed at first and opened from the keyboard; the spin boxes refuse values
    // out of range and keep the low-water mark below the high-water mark themselves; what is set reaches
    // Settings (the --config names and units), the config the page starts the proxy with, and the running
    // proxy's behaviour (a body over the limit gets 413); a new page shows it again.
    void limitsAndTimeoutsReachTheProxy()
    {
        PageHarness h;
        QVERIFY(h.ledger);
        auto &[dir, upstream, ledger, settings, port] = h;
        Proxy proxy(*ledger);
        {
            ProxyPage page(proxy, settings, std::make_shared<MemorySecretStore>());
            page.resize(1280, 800);
            page.show();
            QVERIFY(QTest::qWaitForWindowExposed(&page));
            auto *panel = page.findChild<ProxyLimitsPanel *>(u"proxyLimits"_s);
            auto *toggle = page.findChild<QToolButton *>(u"proxyLimitsToggle"_s);
            auto *body = page.findChild<QWidget *>(u"proxyLimitsBody"_s);
            QVERIFY(panel && toggle && body);
            QVERIFY(!body->isVisible());
            toggle->setFocus();
            QTest::keyClick(toggle, Qt::Key_Space);
            QTRY_VERIFY(body->isVisible());
            QVERIFY(panel->isExpanded());
            // Opened below the fold of the settings pane: scrolled into view, down to the body's last line.
            QWidget *viewport = page.findChild<QScrollArea *>(u"proxySettingsScroll"_s)->viewport();
            QTRY_VERIFY(body->mapTo(viewport, QPoint(0, body->height())).y() <= viewport->height());
            QVERIFY(toggle->mapTo(viewport, QPoint(0, 0)).y() >= 0);

            // The defaults shown are ProxyConfig's, with units and tooltips naming the config key.
            for (const ProxyLimit &limit : proxyLimits())
                QVERIFY2(page.findChild<QSpinBox *>(u"proxyLimit_"_s + QString(limit.key)), limit.key.data());
            const auto box = [&](const char *key) {
                return page.findChild<QSpinBox *>(u"proxyLimit_"_s + QLatin1StringView(key));
            };
            QCOMPARE(box("maxBodyBytes")->value(), 32 * 1024 * 1024);
            QCOMPARE(box("clientHighWaterBytes")->value(), 4 * 1024 * 1024);
            QCOMPARE(box("clientLowWaterBytes")->value(), 1024 * 1024);
            QCOMPARE(box("clientWriteTimeoutMs")->value(), 120000);
            QCOMPARE(box("bodyTimeoutMs")->value(), 300000);
            QCOMPARE(box("idleTimeoutMs")->suffix(), u" ms"_s);
            QCOMPARE(box("maxBodyBytes")->suffix(), u" bytes"_s);
            QVERIFY(box("idleTimeoutMs")->toolTip().contains(u"idleTimeoutMs"_s));
            QVERIFY(box("maxBodyBytes")->toolTip().contains(u"32 MiB"_s));
            QCOMPARE(box("busyPollUs")->value(), 50);
            QCOMPARE(box("busyPollUs")->suffix(), u" µs"_s);
            QCOMPARE(page.findChildren<QSpinBox *>(QRegularExpression(u"^proxyLimit_"_s)).size(), 14);
            for (QSpinBox *b : page.findChildren<QSpinBox *>(QRegularExpression(u"^proxyLimit_"_s)))
                QVERIFY2(!b->toolTip().isEmpty() && !b->suffix().isEmpty(), qPrintable(b->objectName()));

            // Typed from the keyboard: a value in range is taken on Enter; one below the range is not.
            QSpinBox *idle = box("idleTimeoutMs");
            idle->setFocus();
            idle->selectAll();
            QTest::keyClicks(idle, u"45000"_s);
            QTest::keyClick(idle, Qt::Key_Return);
            QCOMPARE(idle->value(), 45000);
            QSpinBox *connectBox = box("connectTimeoutMs");
            connectBox->setFocus();
            connectBox->selectAll();
            QTest::keyClicks(connectBox, u"5"_s); // below 100 ms
            QTest::keyClick(connectBox, Qt::Key_Return);
            QCOMPARE(connectBox->value(), 10000);
            // Out of range by program: clamped into the range.
            box("maxHeaderBytes")->setValue(1'000'000);
            QCOMPARE(box("maxHeaderBytes")->value(), 80 * 1024);
            box("drainTimeoutMs")->setValue(-5);
            QCOMPARE(box("drainTimeoutMs")->value(), 0);

            // The water marks bound each other: low cannot reach high, high cannot fall to low.
            QSpinBox *high = box("clientHighWaterBytes");
            QSpinBox *low = box("clientLowWaterBytes");
            low->setValue(high->value());
            QCOMPARE(low->value(), high->value() - 1);
            low->setValue(65536);
            high->setValue(1000);
            QCOMPARE(high->value(), 65537);
            high->setValue(262144);
            QCOMPARE(high->value(), 262144);
            QCOMPARE(low->value(), 65536);

            box("maxBodyBytes")->setValue(4096);
            box("firstByteTimeoutMs")->setValue(900000);
            box("busyPollUs")->setValue(0); // off
            // Saved under the config file's names, in its units.
            QCOMPARE(settings.value(u"proxy/idleTimeoutMs"_s).toLongLong(), 45000);
            QCOMPARE(settings.value(u"proxy/maxBodyBytes"_s).toLongLong(), 4096);
            QCOMPARE(settings.value(u"proxy/clientHighWaterBytes"_s).toLongLong(), 262144);
            QCOMPARE(settings.value(u"proxy/clientLowWaterBytes"_s).toLongLong(), 65536);
            QCOMPARE(settings.value(u"proxy/drainTimeoutMs"_s).toLongLong(), 0);
            QCOMPARE(settings.value(u"proxy/busyPollUs"_s).toLongLong(), 0);
            const ProxyConfig c = page.configFromWidgets();
            QCOMPARE(c.idleTimeoutMs, 45000);
            QCOMPARE(c.connectTimeoutMs, 10000);
            QCOMPARE(c.maxHeaderBytes, 80 * 1024);
            QCOMPARE(c.maxBodyBytes, 4096);
            QCOMPARE(c.firstByteTimeoutMs, 900000);
            QCOMPARE(c.clientHighWaterBytes, 262144);
            QCOMPARE(c.clientLowWaterBytes, 65536);
            QCOMPARE(c.drainTimeoutMs, 0);
            QCOMPARE(c.busyPollUs, 0);
            QVERIFY(c.validate().has_value());

            // The cache's "also store truncated answers" is saved and applies too.
            auto *truncated = page.findChild<QCheckBox *>(u"proxyCacheStoreTruncated"_s);
            QVERIFY(truncated && !truncated->isChecked());
            truncated->setChecked(true);
            QCOMPARE(settings.value(u"proxy/cacheStoreTruncated"_s).toBool(), true);
            QVERIFY(page.configFromWidgets().cache.storeTruncated);

            // Started from the page: the running proxy has them, and acts on them.
            page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(true);
            QTRY_VERIFY_WITH_TIMEOUT(proxy.isRunning(), 5000);
            QCOMPARE(proxy.config().idleTimeoutMs, 45000);
            QCOMPARE(proxy.config().maxBodyBytes, 4096);
            QCOMPARE(proxy.config().clientLowWaterBytes, 65536);
            QVERIFY(proxy.config().cache.storeTruncated);
            QVERIFY(!idle->isEnabled()); // limits take effect at start: locked while running
            QVERIFY(toggle->isEnabled());
            QProcess curl;
            curl.start(u"curl"_s, {u"-s"_s, u"-o"_s, u"/dev/null"_s, u"-w"_s, u"%{http_code}"_s, u"-H"_s,
                                   u"Content-Type: application/json"_s, u"--data-binary"_s,
                                   QString::fromLatin1(R"({"model":"gpt-4o","messages":[{"role":"user","content":")"
                                                       + QByteArray(6000, 'a') + R"("}]})"),
                                   u"http://127.0.0.1:%1/v1/chat/completions"_s.arg(port)});
            QVERIFY(curl.waitForFinished(10000));
            QCOMPARE(curl.readAllStandardOutput(), QByteArray("413"));
            QCOMPARE(upstream.requestCount(), 0);
            page.findChild<QCheckBox *>(u"proxyEnabled"_s)->setChecked(false);
            QTRY_VERIFY_WITH_TIMEOUT(!proxy.isRunning(), 10000);
            QVERIFY(idle->isEnabled());
        }
        // Round trip: a new page shows what was saved.
        {
            ProxyPage again(proxy, settings, std::make_shared<MemorySecretStore>());
            const ProxyConfig c = again.configFromWidgets();
            QCOMPARE(c.idleTimeoutMs, 45000);
            QCOMPARE(c.maxBodyBytes, 4096);
            QCOMPARE(c.maxHeaderBytes, 80 * 1024);
            QCOMPARE(c.firstByteTimeoutMs, 900000);
            QCOMPARE(c.clientHighWaterBytes, 262144);
            QCOMPARE(c.clientLowWaterBytes, 65536);
            QCOMPARE(c.drainTimeoutMs, 0);
            QVERIFY(c.cache.storeTruncated);
            // "Restore defaults" brings ProxyConfig's values back, and saves them.
            again.findChild<QPushButton *>(u"proxyLimitsDefaults"_s)->click();
            const ProxyConfig d = again.configFromWidgets();
            const ProxyConfig defaults;
            for (const ProxyLimit &limit : proxyLimits())
                QCOMPARE(limit.get(d), limit.get(defaults));
            QCOMPARE(settings.value(u"proxy/idleTimeoutMs"_s).toLongLong(), 120000);
        }
        // A settings file edited by hand: values out of range are shown clamped, crossed water marks apart.
        settings.setValue(u"proxy/maxConnections"_s, 0);
        settings.setValue(u"proxy/idleTimeoutMs"_s, u"soon"_s);
        settings.setValue(u"proxy/clientHighWaterBytes"_s, 65536);
        settings.setValue(u"proxy/clientLowWaterBytes"_s, 131072);
        ProxyPage edited(proxy, settings, std::make_shared<MemorySecretStore>());
        const ProxyConfig e = edited.configFromWidgets();
        QCOMPARE(e.maxConnections, 1);
        QCOMPARE(e.idleTimeoutMs, 100);
        QCOMPARE(e.clientHighWaterBytes, 65536);
        QVERIFY(e.clientLowWaterBytes < e.clientHighWaterBytes);
        QVERIFY(e.validate().has_value());
    }

    // The page with "Limits and timeouts" open, in English and Chinese, light and dark: no label, spin box
    // or button is narrower than its text needs. With TOKENLEDGER_SCREENSHOT_DIR set, each is saved as
    // PNG (the page as shown, and the whole settings pane). Chinese rows come last: a translator, once
    // installed, stays for the rest of the run (removed in cleanupTestCase).
    void limitsRenderWithoutClipping_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("theme");
        QTest::newRow("English, light") << u"en"_s << u"light"_s;
        QTest::newRow("English, dark") << u"en"_s << u"dark"_s;
        QTest::newRow("Chinese, light") << u"zh_CN"_s << u"light"_s;
        QTest::newRow("Chinese, dark") << u"zh_CN"_s << u"dark"_s;
    }
    void limitsRenderWithoutClipping()
    {
        QFETCH(QString, language);
        QFETCH(QString, theme);
        if (language != u"en"_s && QCoreApplication::translate("tl::ProxyLimitsPanel", "Limits and timeouts") == u"Limits and timeouts"_s)
            QCOMPARE(Translations::install(language), language);
        Theme::apply(theme);
        PageHarness h;
        QVERIFY(h.ledger);
        Proxy proxy(*h.ledger);
        ProxyPage page(proxy, h.settings, std::make_shared<MemorySecretStore>());
        page.resize(1280, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *panel = page.findChild<ProxyLimitsPanel *>(u"proxyLimits"_s);
        QVERIFY(panel);
        panel->setExpanded(true);
        auto *toggle = page.findChild<QToolButton *>(u"proxyLimitsToggle"_s);
        if (language == u"zh_CN"_s)
            QCOMPARE(toggle->text(), u"限制和超时"_s);
        else
            QCOMPARE(toggle->text(), u"Limits and timeouts"_s);
        QCOMPARE(Theme::isDark(page.palette()), theme == u"dark"_s);
        QTRY_VERIFY(page.findChild<QWidget *>(u"proxyLimitsBody"_s)->isVisible());
        // What is narrower or lower than its text needs (word-wrapped labels wrap instead).
        const auto clippedWidgets = [&]() {
            QStringList clipped;
            for (QWidget *w : page.findChildren<QWidget *>()) {
                if (!w->isVisibleTo(&page)
                    || !(qobject_cast<QLabel *>(w) || qobject_cast<QSpinBox *>(w) || qobject_cast<QAbstractButton *>(w)))
                    continue;
                if (const auto *label = qobject_cast<QLabel *>(w); label && label->wordWrap())
                    continue;
                const QSize need = w->minimumSizeHint().expandedTo(
                    qobject_cast<QSpinBox *>(w) || qobject_cast<QCheckBox *>(w) ? w->sizeHint() : QSize());
                if (w->width() < need.width() || w->height() < need.height())
                    clipped << u"%1 %2 \"%3\" %4x%5 < %6x%7"_s.arg(QString::fromLatin1(w->metaObject()->className()), w->objectName(),
                                                                 qobject_cast<QAbstractButton *>(w) ? qobject_cast<QAbstractButton *>(w)->text()
                                                                 : qobject_cast<QLabel *>(w)        ? qobject_cast<QLabel *>(w)->text()
                                                                                                   : QString())
                                   .arg(w->width()).arg(w->height()).arg(need.width()).arg(need.height());
            }
            return clipped;
        };
        // Layouts settle in the event loop after the group opens (the screenshots are taken either way).
        [[maybe_unused]] const bool settled = QTest::qWaitFor([&]() { return clippedWidgets().isEmpty(); }, 2000);
        if (const QString dir = qEnvironmentVariable("TOKENLEDGER_SCREENSHOT_DIR"); !dir.isEmpty()) {
            const QString name = u"proxy-limits-%1-%2"_s.arg(language, theme);
            QVERIFY(page.grab().save(dir + u"/"_s + name + u".png"_s));
            QVERIFY(page.findChild<QWidget *>(u"proxySettingsScroll"_s)->findChild<QWidget *>(u"proxySettingsPane"_s)->grab().save(
                dir + u"/"_s + name + u"-pane.png"_s));
        }
        const QStringList clipped = clippedWidgets();
        QVERIFY2(clipped.isEmpty(), qPrintable(clipped.join(u"; "_s)));
    }

    // At the size the page gets in a 900x600 window, the upstream table's Base URL column shows the default
    // upstreams' URLs whole and each Kind box is as wide as its text needs (session 19: the Kind column took
    // the width of "OpenAI-compatible (vLLM, Ollama, LM Studio…)" and cut the URLs to "https://api.openai....").
    void upstreamsFitASmallWindow()
    {
        PageHarness h;
        QVERIFY(h.ledger);
        h.settings.setValue(u"proxy/upstreams"_s,
                            QByteArray(R"([{"id":"openai","kind":"openai","baseUrl":"https://api.openai.com/v1",)"
                                       R"("keychainEntry":"proxy/upstream/openai"},)"
                                       R"({"id":"anthropic","kind":"anthropic","baseUrl":"https://api.anthropic.com",)"
                                       R"("keychainEntry":"proxy/upstream/anthropic"}])"));
        Proxy proxy(*h.ledger);
        ProxyPage page(proxy, h.settings, std::make_shared<MemorySecretStore>());
        page.resize(775, 560); // 900x600 less the page list, menu and status bars
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *table = page.findChild<QTableWidget *>(u"proxyUpstreams"_s);
        QVERIFY(table && table->rowCount() == 2);
        const auto cut = [table] {
            QStringList found;
            const int margin = 2 * (table->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, table) + 1);
            for (int row = 0; row < table->rowCount(); ++row) {
                const QString url = table->item(row, UpstreamEditor::BaseUrl)->text();
                if (table->columnWidth(UpstreamEditor::BaseUrl) < table->fontMetrics().horizontalAdvance(url) + margin)
                    found << u"%1 in %2 px"_s.arg(url).arg(table->columnWidth(UpstreamEditor::BaseUrl));
                auto *kind = qobject_cast<QComboBox *>(table->cellWidget(row, UpstreamEditor::Kind));
                if (!kind || kind->width() < kind->minimumSizeHint().width())
                    found << u"kind box of row %1"_s.arg(row);
            }
            return found;
        };
        QTRY_VERIFY2(cut().isEmpty(), qPrintable(cut().join(u"; "_s)));
    }

    void cleanupTestCase()
    {
        for (QTranslator *t : QCoreApplication::instance()->findChildren<QTranslator *>())
            QCoreApplication::removeTranslator(t);
        QLocale::setDefault(QLocale::c());
        Theme::apply(u"light"_s);
    }
};

QTEST_MAIN(ProxyPageTest)
#include "ProxyPageTest.moc"
