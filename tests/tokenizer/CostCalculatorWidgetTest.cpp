// The Pricing page's cost calculator, as a real widget offscreen: tokens and cost for a pasted prompt.
#include "pricing/CostCalculatorWidget.h"
#include "TestSupport.h"
#include "pricing/Pricer.h"
#include "tokenizer/Tokenizers.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

using namespace Qt::StringLiterals;

class CostCalculatorWidgetTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void countsAndPricesAPrompt_data();
    void countsAndPricesAPrompt();
    void typingRecountsAfterTheDebounce();
    void unknownModelIsUnpricedAndAnEstimate();
    void claudeEstimateSaysWhetherItIsCalibrated();
    void everyInteractiveWidgetHasAnObjectName();
    void rendersToPng();

private:
    std::unique_ptr<tl::CostCalculatorWidget> makeWidget();
    std::shared_ptr<const tl::Pricer> m_pricer;
    std::shared_ptr<const tl::tokenizer::Tokenizers> m_tokenizers;
};

void CostCalculatorWidgetTest::initTestCase()
{
    m_pricer = std::make_shared<const tl::Pricer>(tl::test::builtInBook());
    m_tokenizers = std::make_shared<const tl::tokenizer::Tokenizers>();
}

std::unique_ptr<tl::CostCalculatorWidget> CostCalculatorWidgetTest::makeWidget()
{
    auto pricer = m_pricer;
    return std::make_unique<tl::CostCalculatorWidget>([pricer] { return pricer; }, m_tokenizers);
}

void CostCalculatorWidgetTest::countsAndPricesAPrompt_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("asChat");
    QTest::addColumn<qint64>("promptTokens");
    // "hello world" is 2 tokens in both encodings; as a chat message: 3 + "user" (1) + 2 + 3 priming.
    QTest::newRow("gpt-4o plain text") << u"gpt-4o"_s << false << qint64(2);
    QTest::newRow("gpt-4o as a chat message") << u"gpt-4o"_s << true << qint64(9);
    QTest::newRow("gpt-4 plain text") << u"gpt-4"_s << false << qint64(2);
}

void CostCalculatorWidgetTest::countsAndPricesAPrompt()
{
    QFETCH(QString, model);
    QFETCH(bool, asChat);
    QFETCH(qint64, promptTokens);
    auto w = makeWidget();
    w->findChild<QCheckBox *>(u"asChatCheck"_s)->setChecked(asChat);
    w->findChild<QSpinBox *>(u"completionSpin"_s)->setValue(1000);
    w->setModel(model);
    w->setPrompt(u"hello world"_s);
    w->recalculate();
    QCOMPARE(w->promptTokens(), promptTokens);
    QCOMPARE(w->findChild<QLabel *>(u"tokensLabel"_s)->text(), QString::number(promptTokens));

    tl::Usage usage;
    usage.promptTokens = promptTokens;
    usage.completionTokens = 1000;
    const tl::CostResult expected
        = m_pricer->price(QString(), model, usage, QDateTime::currentMSecsSinceEpoch() * 1000, false);
    QVERIFY(expected.cost.has_value());
    QVERIFY(*expected.cost > 0);
    QCOMPARE(w->findChild<QLabel *>(u"costLabel"_s)->text(), tl::formatUsd(*expected.cost, 4));
}

void CostCalculatorWidgetTest::typingRecountsAfterTheDebounce()
{
    auto w = makeWidget();
    w->setModel(u"gpt-4o"_s);
    w->findChild<QCheckBox *>(u"asChatCheck"_s)->setChecked(false);
    w->recalculate();
    QSignalSpy spy(w.get(), &tl::CostCalculatorWidget::recalculated);
    QTest::keyClicks(w->findChild<QPlainTextEdit *>(u"promptEdit"_s), u"hello world"_s);
    QTRY_VERIFY(spy.count() >= 1);
    QTRY_COMPARE(w->promptTokens(), qint64(2));
}

void CostCalculatorWidgetTest::unknownModelIsUnpricedAndAnEstimate()
{
    auto w = makeWidget();
    w->findChild<QCheckBox *>(u"asChatCheck"_s)->setChecked(false);
    w->setModel(u"my-local-llama-7b"_s);
    w->setPrompt(u"hello world"_s);
    w->recalculate();
    QCOMPARE(w->promptTokens(), qint64(2));
    QVERIFY(w->findChild<QLabel *>(u"tokensLabel"_s)->text().contains(u"estimate"_s));
    QCOMPARE(w->findChild<QLabel *>(u"costLabel"_s)->text(), u"unpriced"_s);
    QVERIFY(w->findChild<QLabel *>(u"noteLabel"_s)->text().contains(u"my-local-llama-7b"_s));
}

void CostCalculatorWidgetTest::claudeEstimateSaysWhetherItIsCalibrated()
{
    auto tokenizers = std::make_shared<tl::tokenizer::Tokenizers>();
    auto pricer = m_pricer;
    tl::CostCalculatorWidget w([pricer] { return pricer; }, tokenizers);
    w.findChild<QCheckBox *>(u"asChatCheck"_s)->setChecked(false); // plain text: comparable with countText
    w.setModel(u"claude-sonnet-4-5"_s);
    w.setPrompt(u"Summarise the quarterly report in one line."_s);
    w.recalculate();
    const qint64 raw = w.promptTokens();
    QCOMPARE(raw, tokenizers->countText(u"gpt-4o"_s, u"Summarise the quarterly report in one line."_s)->tokens);
    auto *tokens = w.findChild<QLabel *>(u"tokensLabel"_s);
    QCOMPARE(tokens->text(), u"~%1 (estimate, uncalibrated)"_s.arg(raw));
    QCOMPARE(w.calibrationSamples(), 0);

    // 25 recorded calls where the provider counted 1.2x ours, per-call ratios 1.1 to 1.3.
    for (int i = 0; i < 25; ++i)
        tokenizers->calibration().recordModel(u"claude-sonnet-4-5-20250929"_s, 1000, i % 2 ? 1100 : 1300);
    w.recalculate();
    const auto f = tokenizers->calibration().forModel(u"claude-sonnet-4-5"_s);
    QVERIFY(f);
    QCOMPARE(w.promptTokens(), qint64(std::llround(double(raw) * f->factor)));
    QCOMPARE(w.calibrationSamples(), 25);
    QCOMPARE(tokens->text(), u"~%1 (estimate, calibrated from 25 call(s))"_s.arg(w.promptTokens()));
    const QString note = w.findChild<QLabel *>(u"noteLabel"_s)->text();
    QVERIFY2(note.contains(u"x%1"_s.arg(f->factor, 0, 'f', 3)) && note.contains(u"1.100 to 1.300"_s), qPrintable(note));
    if (const QString dir = qEnvironmentVariable("TOKENLEDGER_SCREENSHOT_DIR"); !dir.isEmpty()) {
        w.resize(640, 360);
        w.grab().save(dir + u"/cost-calculator-calibrated.png"_s);
    }
}

void CostCalculatorWidgetTest::everyInteractiveWidgetHasAnObjectName()
{
    auto w = makeWidget();
    const auto widgets = w->findChildren<QWidget *>();
    for (QWidget *child : widgets) {
        if (child->focusPolicy() != Qt::NoFocus && child->parentWidget() == w.get())
            QVERIFY2(!child->objectName().isEmpty(), child->metaObject()->className());
    }
    QVERIFY(w->findChild<QComboBox *>(u"modelCombo"_s)->count() > 10); // models from the price book
}

void CostCalculatorWidgetTest::rendersToPng()
{
    auto w = makeWidget();
    w->resize(560, 420);
    w->setPrompt(u"Summarise the attached quarterly report in three bullet points for the board. 東京 👍"_s);
    w->recalculate();
    w->show();
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    const QString out = QDir::temp().filePath(u"tokenledger-cost-calculator.png"_s);
    QVERIFY(w->grab().save(out));
    qInfo("rendered %s", qPrintable(out));
}

QTEST_MAIN(CostCalculatorWidgetTest)
#include "CostCalculatorWidgetTest.moc"
