// The Simplified Chinese translation is complete and embedded: every message of the .ts is finished,
// and the compiled catalogue installed from the resource translates the UI. The English plural catalogue
// gives every "%n" text a singular and a plural ("1 call", "2 calls" instead of "1 call(s)").
#include "MainWindow.h"
#include "ScriptedPrompter.h"
#include "UiTestData.h"
#include "common/Translations.h"
#include "dashboard/DashboardPage.h"
#include "routing/ComplexityRulesModel.h"
#include "routing/RouterConfig.h"

#include <QFile>
#include <QLocale>
#include <QMenuBar>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace tl {

class TranslationTest : public QObject
{
    Q_OBJECT

    // The numerus messages of translations/FILE: source text -> its translation's forms.
    static QHash<QString, QStringList> numerusForms(const QString &file)
    {
        QFile ts(QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/translations/"_s + file);
        if (!ts.open(QIODevice::ReadOnly))
            return {};
        QXmlStreamReader xml(&ts);
        QHash<QString, QStringList> out;
        QString source;
        bool numerus = false;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement())
                continue;
            if (xml.name() == u"message")
                numerus = xml.attributes().value(u"numerus"_s) == u"yes";
            else if (xml.name() == u"source")
                source = xml.readElementText();
            else if (numerus && xml.name() == u"numerusform")
                out[source] << xml.readElementText();
            else if (numerus && xml.name() == u"translation" && !out.contains(source))
                out[source]; // a translation without forms still counts as the message being there
        }
        return xml.hasError() ? QHash<QString, QStringList>() : out;
    }

    static QStringList allSources(const QString &file)
    {
        QFile ts(QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/translations/"_s + file);
        if (!ts.open(QIODevice::ReadOnly))
            return {};
        QXmlStreamReader xml(&ts);
        QStringList out;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() && xml.name() == u"source")
                out << xml.readElementText();
        }
        return out;
    }

    static void removeTranslations()
    {
        for (QTranslator *translator : QCoreApplication::instance()->findChildren<QTranslator *>()) {
            QCoreApplication::removeTranslator(translator);
            delete translator;
        }
        QLocale::setDefault(QLocale::c());
    }

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

    // Every counted text ("%n" in its source: lupdate marks it numerus) of the zh_CN catalogue, which holds
    // every scanned source's texts, has an English singular and plural in tokenledger_en.ts, neither of them
    // saying "(s)" and both counting with %n (or %Ln).
    void everyCountedTextHasAnEnglishSingularAndPlural()
    {
        const QHash<QString, QStringList> english = numerusForms(u"tokenledger_en.ts"_s);
        const QHash<QString, QStringList> chinese = numerusForms(u"tokenledger_zh_CN.ts"_s);
        QVERIFY(chinese.size() > 30);
        const QRegularExpression either(u"\\w\\((e?s)\\)"_s);
        const QRegularExpression counts(u"%L?n"_s); // %Ln: the count with the locale's group separators
        QStringList wrong;
        for (auto it = chinese.cbegin(); it != chinese.cend(); ++it) {
            const QStringList forms = english.value(it.key());
            if (forms.size() != 2 || !forms.at(0).contains(counts) || !forms.at(1).contains(counts)
                || forms.at(0).contains(either) || forms.at(1).contains(either)
                || (it.key().contains(either) && forms.at(0) == forms.at(1)))
                wrong << u"%1 -> [%2]"_s.arg(it.key(), forms.join(u" / "_s));
        }
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(u" | "_s)));
        // No text says "(s)" without counting with %n: it could not be given a singular.
        QStringList uncounted;
        for (const QString &source : allSources(u"tokenledger_zh_CN.ts"_s))
            if (source.contains(either) && !source.contains(counts))
                uncounted << source;
        QVERIFY2(uncounted.isEmpty(), qPrintable(uncounted.join(u" | "_s)));
    }

    // In English the UI counts: the rule table's Recorded cell says "1 call matched" and "2 calls matched".
    void englishTextsSayOneCallAndTwoCalls()
    {
        removeTranslations();
        const auto restore = qScopeGuard([] { removeTranslations(); });
        QCOMPARE(Translations::install(u"en"_s), u"en_US"_s);
        ComplexityRulesModel model;
        model.setRules(routing::RouterConfig::defaultRules());
        const QString rule = model.rules().constFirst().name;
        const QModelIndex cell = model.index(0, ComplexityRulesModel::Recorded);
        model.setTallies({routing::RuleTally {rule, 1, 0, 0}});
        QCOMPARE(cell.data().toString(), u"1 call matched"_s);
        model.setTallies({routing::RuleTally {rule, 2, 0, 0}});
        QCOMPARE(cell.data().toString(), u"2 calls matched"_s);
        QCOMPARE(QCoreApplication::translate("tl::RoutingTestPanel",
                                             "%Ln call(s) with an unpriced model are not in the totals.", nullptr, 1),
                 u"1 call with an unpriced model is not in the totals."_s);
        QCOMPARE(QCoreApplication::translate("tl::RoutingTestPanel",
                                             "%Ln call(s) with an unpriced model are not in the totals.", nullptr, 1234),
                 u"1,234 calls with an unpriced model are not in the totals."_s);
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
