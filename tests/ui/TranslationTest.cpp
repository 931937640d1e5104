// The Simplified Chinese translation is complete and embedded: every message of the .ts is finished,
// and the compiled catalogue installed from the resource translates the UI.
#include "MainWindow.h"
#include "ScriptedPrompter.h"
#include "UiTestData.h"
#include "common/Translations.h"
#include "dashboard/DashboardPage.h"

#include <QFile>
#include <QLocale>
#include <QMenuBar>
#include <QXmlStreamReader>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace tl {

class TranslationTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyMessageIsTranslated()
    {
        QFile ts(QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/translations/tokenledger_zh_CN.ts"_s);
        QVERIFY(ts.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&ts);
        int messages = 0;
        QStringList unfinished;
        QString source;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement())
                continue;
            if (xml.name() == u"message")
                ++messages;
            else if (xml.name() == u"source")
                source = xml.readElementText();
            else if (xml.name() == u"translation") {
                const bool isUnfinished = xml.attributes().value(u"type"_s) == u"unfinished";
                const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
                if (isUnfinished || text.trimmed().isEmpty())
                    unfinished << source;
            }
        }
        QVERIFY(!xml.hasError());
        QVERIFY(messages > 250);
        QVERIFY2(unfinished.isEmpty(), qPrintable(unfinished.join(u" | "_s)));
    }

    void theEmbeddedCatalogueTranslatesTheWindow()
    {
        QCOMPARE(Translations::install(u"zh_CN"_s), u"zh_CN"_s);
        test::TempLedger t;
        MainWindow window(*t.ledger, *t.settings, std::make_shared<test::ScriptedPrompter>());
        QStringList titles;
        for (QAction *a : window.menuBar()->actions())
            titles << a->text();
        QCOMPARE(titles, (QStringList{u"文件(&F)"_s, u"视图(&V)"_s, u"设置(&S)"_s, u"帮助(&H)"_s}));
        QCOMPARE(QCoreApplication::translate("tl::MainWindow", "Dashboard"), u"仪表板"_s);
        QCOMPARE(QLocale().name(), u"zh_CN"_s);
    }
};

} // namespace tl

QTEST_MAIN(tl::TranslationTest)
#include "TranslationTest.moc"
