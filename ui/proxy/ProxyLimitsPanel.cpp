#include "ProxyLimitsPanel.h"

#include "settings/Settings.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <vector>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
constexpr int kLeftColumnRows = 6; // request limits and client timeouts; upstream, flow control, drain on the right

struct LimitText
{
    QString label;
    QString what;
};

// What each limit is called on the page and what it does (docs/proxy.md "Configuration" says the same).
LimitText limitText(QLatin1StringView key)
{
    if (key == "maxBodyBytes"_L1)
        return {ProxyLimitsPanel::tr("Largest request body"),
                ProxyLimitsPanel::tr("A request body larger than this gets 413, decided from Content-Length before it "
                                     "is read.")};
    if (key == "maxHeaderBytes"_L1)
        return {ProxyLimitsPanel::tr("Largest header block"),
                ProxyLimitsPanel::tr("A request line and headers larger than this get 431. At most 80 KiB, the HTTP "
                                     "parser's own limit.")};
    if (key == "maxConnections"_L1)
        return {ProxyLimitsPanel::tr("Most client connections"),
                ProxyLimitsPanel::tr("Open client connections beyond this get 503.")};
    if (key == "headerTimeoutMs"_L1)
        return {ProxyLimitsPanel::tr("Header timeout"),
                ProxyLimitsPanel::tr("A client's request line and headers must all arrive within this time, or it "
                                     "gets 408 and is disconnected.")};
    if (key == "bodyTimeoutMs"_L1)
        return {ProxyLimitsPanel::tr("Request body timeout"),
                ProxyLimitsPanel::tr("The whole request body must arrive within this time after its headers, or "
                                     "the client gets 408.")};
    if (key == "keepAliveIdleMs"_L1)
        return {ProxyLimitsPanel::tr("Idle client connection"),
                ProxyLimitsPanel::tr("A client connection with no request in progress is closed after this time.")};
    if (key == "connectTimeoutMs"_L1)
        return {ProxyLimitsPanel::tr("Upstream connect timeout"),
                ProxyLimitsPanel::tr("Longest wait to connect to the upstream (TCP and TLS); then the client gets "
                                     "504.")};
    if (key == "firstByteTimeoutMs"_L1)
        return {ProxyLimitsPanel::tr("Upstream first-byte timeout"),
                ProxyLimitsPanel::tr("Longest wait for the upstream's response headers; then 504. Slow models with "
                                     "long prompts may need more.")};
    if (key == "idleTimeoutMs"_L1)
        return {ProxyLimitsPanel::tr("Upstream idle timeout"),
                ProxyLimitsPanel::tr("Longest silence between reads from the upstream (between stream events), not a "
                                     "limit on a whole stream; then 504, or an error event ends the stream.")};
    if (key == "clientHighWaterBytes"_L1)
        return {ProxyLimitsPanel::tr("Pause upstream above"),
                ProxyLimitsPanel::tr("High-water mark: when this many answer bytes wait for a slow client, the "
                                     "upstream transfer is paused.")};
    if (key == "clientLowWaterBytes"_L1)
        return {ProxyLimitsPanel::tr("Resume upstream below"),
                ProxyLimitsPanel::tr("Low-water mark: a paused upstream transfer goes on when the bytes waiting for "
                                     "the client fall below this. Must be below the high-water mark.")};
    if (key == "clientWriteTimeoutMs"_L1)
        return {ProxyLimitsPanel::tr("Client write timeout"),
                ProxyLimitsPanel::tr("A client that takes no byte for this long while the proxy holds bytes for it "
                                     "is disconnected (recorded as client_stalled).")};
    if (key == "drainTimeoutMs"_L1)
        return {ProxyLimitsPanel::tr("Drain time at stop"),
                ProxyLimitsPanel::tr("When the proxy stops, requests in flight get this long to finish; then they "
                                     "get 503 or an error event, and are recorded.")};
    if (key == "busyPollUs"_L1)
        return {ProxyLimitsPanel::tr("Busy polling after traffic"),
                ProxyLimitsPanel::tr("After handling traffic the proxy keeps checking its sockets this long before "
                                     "it sleeps, so a quick reply is handled without a wake-up (about 25 µs less "
                                     "per request on an idle machine). Costs CPU time only while traffic flows; "
                                     "long windows take CPU from an upstream or client on the same machine. 0 "
                                     "turns it off. Linux only.")};
    return {QString(key), QString()};
}

QString suffix(ProxyLimit::Unit unit)
{
    switch (unit) {
    case ProxyLimit::Unit::Milliseconds: return ProxyLimitsPanel::tr(" ms");
    case ProxyLimit::Unit::Microseconds: return ProxyLimitsPanel::tr(" µs");
    case ProxyLimit::Unit::Bytes: return ProxyLimitsPanel::tr(" bytes");
    case ProxyLimit::Unit::Connections: return ProxyLimitsPanel::tr(" connections");
    }
    return {};
}

// "32 MiB", "2 min", "120 s", "100 ms", "4,096": a value a person reads at a glance.
QString readable(const QLocale &locale, ProxyLimit::Unit unit, qint64 value)
{
    switch (unit) {
    case ProxyLimit::Unit::Bytes:
        return locale.formattedDataSize(value, value % 1024 == 0 ? 0 : 1, QLocale::DataSizeIecFormat);
    case ProxyLimit::Unit::Milliseconds:
        if (value >= 3'600'000 && value % 3'600'000 == 0)
            return ProxyLimitsPanel::tr("%1 h").arg(locale.toString(value / 3'600'000));
        if (value >= 60'000 && value % 60'000 == 0)
            return ProxyLimitsPanel::tr("%1 min").arg(locale.toString(value / 60'000));
        if (value >= 1000 && value % 1000 == 0)
            return ProxyLimitsPanel::tr("%1 s").arg(locale.toString(value / 1000));
        return ProxyLimitsPanel::tr("%1 ms").arg(locale.toString(value));
    case ProxyLimit::Unit::Microseconds:
        return value == 0 ? ProxyLimitsPanel::tr("off") : ProxyLimitsPanel::tr("%1 µs").arg(locale.toString(value));
    case ProxyLimit::Unit::Connections: return locale.toString(value);
    }
    return {};
}

QString settingsKey(const ProxyLimit &limit)
{
    return u"proxy/"_s + QString(limit.key);
}

qsizetype indexOf(QLatin1StringView key)
{
    const auto limits = proxyLimits();
    for (size_t i = 0; i < limits.size(); ++i) {
        if (limits[i].key == key)
            return qsizetype(i);
    }
    return -1;
}
} // namespace

ProxyLimitsPanel::ProxyLimitsPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"proxyLimits"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    m_toggle = new QToolButton(this);
    m_toggle->setObjectName(u"proxyLimitsToggle"_s);
    m_toggle->setText(tr("Limits and timeouts"));
    m_toggle->setToolTip(tr("Request size limits, client and upstream timeouts, flow control towards slow clients. "
                            "The defaults suit most uses."));
    m_toggle->setCheckable(true);
    m_toggle->setAutoRaise(true);
    m_toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toggle->setArrowType(Qt::RightArrow);
    m_toggle->setFocusPolicy(Qt::StrongFocus);
    layout->addWidget(m_toggle);

    // A group box without a title: the same frame as the page's other sections, under the toggle.
    m_body = new QGroupBox(this);
    m_body->setObjectName(u"proxyLimitsBody"_s);
    auto *bodyLayout = new QVBoxLayout(m_body);
    auto *columns = new QHBoxLayout;
    auto *left = new QFormLayout;
    auto *right = new QFormLayout;
    for (QFormLayout *form : {left, right})
        form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    columns->addLayout(left);
    columns->addSpacing(24);
    columns->addLayout(right);
    columns->addStretch();
    bodyLayout->addLayout(columns);

    const QLocale here = locale();
    const ProxyConfig defaults;
    int row = 0;
    for (const ProxyLimit &limit : proxyLimits()) {
        const LimitText text = limitText(limit.key);
        auto *box = new QSpinBox(m_body);
        box->setObjectName(u"proxyLimit_"_s + QString(limit.key));
        box->setRange(int(limit.min), int(limit.max));
        box->setSuffix(suffix(limit.unit));
        box->setGroupSeparatorShown(true);
        box->setAccelerated(true);
        // valueChanged on Enter, focus-out and arrow steps, not per typed digit: a half-typed "5" on the way
        // to "5000" never becomes the high-water mark's value (nor the low-water mark's bound).
        box->setKeyboardTracking(false);
        box->setValue(int(limit.get(defaults)));
        const QString tip = tr("%1\nDefault %2; from %3 to %4. Key in the --config file: %5.")
                                .arg(text.what, readable(here, limit.unit, limit.get(defaults)),
                                     readable(here, limit.unit, limit.min), readable(here, limit.unit, limit.max),
                                     QString(limit.key));
        box->setToolTip(tip);
        box->setAccessibleDescription(tip);
        auto *label = new QLabel(text.label, m_body);
        label->setBuddy(box);
        label->setToolTip(tip);
        (row++ < kLeftColumnRows ? left : right)->addRow(label, box);
        m_boxes << box;
        connect(box, &QSpinBox::valueChanged, this, [this]() {
            keepWaterMarksApart();
            Q_EMIT edited();
        });
    }

    // One width for every spin box (the widest needs), so the columns line up.
    int boxWidth = 0;
    for (QSpinBox *box : std::as_const(m_boxes))
        boxWidth = std::max(boxWidth, box->sizeHint().width());
    for (QSpinBox *box : std::as_const(m_boxes))
        box->setMinimumWidth(boxWidth);

    auto *footer = new QHBoxLayout;
    m_note = new QLabel(tr("Limits take effect when the proxy starts."), m_body);
    m_note->setObjectName(u"proxyLimitsNote"_s);
    m_note->setWordWrap(true);
    m_defaults = new QPushButton(tr("Restore defaults"), m_body);
    m_defaults->setObjectName(u"proxyLimitsDefaults"_s);
    m_defaults->setToolTip(tr("Sets every limit and timeout back to its default."));
    footer->addWidget(m_note, 1);
    footer->addWidget(m_defaults);
    bodyLayout->addLayout(footer);
    layout->addWidget(m_body);
    keepWaterMarksApart();
    setExpanded(false);

    connect(m_toggle, &QToolButton::toggled, this, &ProxyLimitsPanel::setExpanded);
    connect(m_defaults, &QPushButton::clicked, this, [this]() {
        setValues(ProxyConfig{});
        Q_EMIT edited();
    });
}

void ProxyLimitsPanel::setValues(const ProxyConfig &config)
{
    const auto limits = proxyLimits();
    std::vector<QSignalBlocker> blockers;
    blockers.reserve(size_t(m_boxes.size()));
    for (QSpinBox *box : std::as_const(m_boxes))
        blockers.emplace_back(box);
    // Full ranges first: the water marks' mutual bounds must not clamp the new values.
    for (size_t i = 0; i < limits.size(); ++i)
        m_boxes[qsizetype(i)]->setRange(int(limits[i].min), int(limits[i].max));
    for (size_t i = 0; i < limits.size(); ++i)
        m_boxes[qsizetype(i)]->setValue(int(std::clamp(limits[i].get(config), limits[i].min, limits[i].max)));
    QSpinBox *high = spinBox("clientHighWaterBytes"_L1);
    QSpinBox *low = spinBox("clientLowWaterBytes"_L1);
    if (low->value() >= high->value())
        low->setValue(std::min(int(ProxyConfig{}.clientLowWaterBytes), high->value() - 1));
    keepWaterMarksApart();
}

void ProxyLimitsPanel::applyTo(ProxyConfig &config) const
{
    const auto limits = proxyLimits();
    for (size_t i = 0; i < limits.size(); ++i)
        limits[i].set(config, m_boxes[qsizetype(i)]->value());
}

void ProxyLimitsPanel::load(const Settings &settings)
{
    ProxyConfig config;
    for (const ProxyLimit &limit : proxyLimits())
        limit.set(config, settings.value(settingsKey(limit), limit.get(config)).toLongLong());
    setValues(config);
}

void ProxyLimitsPanel::save(Settings &settings) const
{
    const auto limits = proxyLimits();
    for (size_t i = 0; i < limits.size(); ++i)
        settings.setValue(settingsKey(limits[i]), qint64(m_boxes[qsizetype(i)]->value()));
}

void ProxyLimitsPanel::setLocked(bool locked)
{
    for (QSpinBox *box : std::as_const(m_boxes))
        box->setEnabled(!locked);
    m_defaults->setEnabled(!locked);
    m_note->setText(locked ? tr("The proxy is running: stop it to change limits (they take effect when it starts).")
                           : tr("Limits take effect when the proxy starts."));
}

bool ProxyLimitsPanel::isExpanded() const
{
    return m_toggle->isChecked();
}

void ProxyLimitsPanel::setExpanded(bool expanded)
{
    {
        const QSignalBlocker block(m_toggle);
        m_toggle->setChecked(expanded);
    }
    m_toggle->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    if (m_body->isVisibleTo(this) == expanded)
        return;
    m_body->setVisible(expanded);
    Q_EMIT expandedChanged(expanded);
}

QSpinBox *ProxyLimitsPanel::spinBox(QLatin1StringView key) const
{
    const qsizetype i = indexOf(key);
    return i < 0 ? nullptr : m_boxes.value(i);
}

void ProxyLimitsPanel::keepWaterMarksApart()
{
    // Each mark bounds the other, so the widgets cannot hold low >= high: to lower both, lower the
    // low-water mark first.
    QSpinBox *high = spinBox("clientHighWaterBytes"_L1);
    QSpinBox *low = spinBox("clientLowWaterBytes"_L1);
    const ProxyLimit *highLimit = proxyLimit("clientHighWaterBytes"_L1);
    const ProxyLimit *lowLimit = proxyLimit("clientLowWaterBytes"_L1);
    const QSignalBlocker blockHigh(high);
    const QSignalBlocker blockLow(low);
    low->setMaximum(int(std::min(lowLimit->max, qint64(high->value()) - 1)));
    high->setMinimum(int(std::max(highLimit->min, qint64(low->value()) + 1)));
}

} // namespace tl
