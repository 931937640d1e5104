// The Proxy page with real widgets offscreen: toggling it starts the real proxy, live traffic from the
// loopback upstream fills the bounded log model (checked by QAbstractItemModelTester), the filter
// works, and the page renders to a PNG for a look.
#include "LoopbackUpstream.h"
#include "TestSupport.h"

#include "ledger/Ledger.h"
#include "proxy/Proxy.h"
#include "common/Theme.h"
#include "common/Translations.h"
#include "proxy/ProxyLimitsPanel.h"
#include "proxy/ProxyLogModel.h"
#include "proxy/ProxyPage.h"
#include "proxy/ProxyStatusIndicator.h"
#include "secrets/SecretStore.h"
#include "settings/Settings.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QHash>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QProcess>
#include <QPromise>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QRegularExpression>
#include <QScrollArea>
#include <QTcpServer>
#include <QToolButton>
#include <QTranslator>
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
        QTRY_VERIFY_WITH_TIMEOUT(page.findChild<QLabel *>(u"proxyState"_s)->text().contains(u"removed"_s), 5000);
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
            QCOMPARE(page.findChildren<QSpinBox *>(QRegularExpression(u"^proxyLimit_"_s)).size(), 13);
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
            // Saved under the config file's names, in its units.
            QCOMPARE(settings.value(u"proxy/idleTimeoutMs"_s).toLongLong(), 45000);
            QCOMPARE(settings.value(u"proxy/maxBodyBytes"_s).toLongLong(), 4096);
            QCOMPARE(settings.value(u"proxy/clientHighWaterBytes"_s).toLongLong(), 262144);
            QCOMPARE(settings.value(u"proxy/clientLowWaterBytes"_s).toLongLong(), 65536);
            QCOMPARE(settings.value(u"proxy/drainTimeoutMs"_s).toLongLong(), 0);
            const ProxyConfig c = page.configFromWidgets();
            QCOMPARE(c.idleTimeoutMs, 45000);
            QCOMPARE(c.connectTimeoutMs, 10000);
            QCOMPARE(c.maxHeaderBytes, 80 * 1024);
            QCOMPARE(c.maxBodyBytes, 4096);
            QCOMPARE(c.firstByteTimeoutMs, 900000);
            QCOMPARE(c.clientHighWaterBytes, 262144);
            QCOMPARE(c.clientLowWaterBytes, 65536);
            QCOMPARE(c.drainTimeoutMs, 0);
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
