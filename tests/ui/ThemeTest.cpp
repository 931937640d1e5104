// The dark theme's controls can be seen: a check box's boundary against the window (WCAG 2.1 SC 1.4.11: 3:1),
// on real widgets rendered offscreen with the style the app applies.
#include "common/Theme.h"

#include <QApplication>
#include <QCheckBox>
#include <QImage>
#include <QRadioButton>
#include <QStyle>
#include <QStyleOption>
#include <QtTest>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace tl;

namespace {

// WCAG 2.1 relative luminance and contrast ratio.
double luminance(QColor c)
{
    auto channel = [](double v) {
        v /= 255.0;
        return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue());
}

double contrast(QColor a, QColor b)
{
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// The highest contrast against `window` among the pixels on the indicator's left edge column, top to bottom.
double edgeContrast(QWidget &w, QStyle::SubElement indicator)
{
    w.ensurePolished();
    w.resize(w.sizeHint());
    const QImage image = w.grab().toImage();
    QStyleOptionButton opt;
    opt.initFrom(&w);
    const QRect r = w.style()->subElementRect(indicator, &opt, &w);
    const QColor window = w.palette().color(QPalette::Window);
    double best = 0;
    for (int y = r.top() + r.height() / 4; y <= r.bottom() - r.height() / 4; ++y)
        for (int x = r.left(); x <= r.left() + 1; ++x)
            best = std::max(best, contrast(image.pixelColor(x, y), window));
    return best;
}

} // namespace

class ThemeTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cleanup() { Theme::apply(u"light"_s); }

    // Session-17 look-over: Fusion's outline of an unchecked box is the colour of its fill on the dark palette
    // (1.1:1 against the window); "Run the proxy" all but vanished.
    void darkCheckBoxesAndRadioButtonsHaveAVisibleBoundary_data()
    {
        QTest::addColumn<bool>("radio");
        QTest::addColumn<bool>("checked");
        QTest::newRow("check box") << false << false;
        QTest::newRow("check box, checked") << false << true;
        QTest::newRow("radio button") << true << false;
    }
    void darkCheckBoxesAndRadioButtonsHaveAVisibleBoundary()
    {
        QFETCH(bool, radio);
        QFETCH(bool, checked);
        Theme::apply(u"dark"_s);
        QVERIFY(Theme::isDark(QApplication::palette()));
        std::unique_ptr<QAbstractButton> button;
        if (radio)
            button = std::make_unique<QRadioButton>(u"Use the stored key"_s);
        else
            button = std::make_unique<QCheckBox>(u"Run the proxy"_s);
        button->setChecked(checked);
        const double c = edgeContrast(*button, radio ? QStyle::SE_RadioButtonIndicator : QStyle::SE_CheckBoxIndicator);
        QVERIFY2(c >= 3.0, qPrintable(u"boundary contrast %1:1"_s.arg(c, 0, 'f', 2)));
    }

    // The light theme too: Fusion's outline there is 1.65:1.
    void lightCheckBoxHasAVisibleBoundary()
    {
        Theme::apply(u"light"_s);
        QCheckBox box(u"Run the proxy"_s);
        const double c = edgeContrast(box, QStyle::SE_CheckBoxIndicator);
        QVERIFY2(c >= 3.0, qPrintable(u"boundary contrast %1:1"_s.arg(c, 0, 'f', 2)));
    }
};

QTEST_MAIN(ThemeTest)
#include "ThemeTest.moc"
