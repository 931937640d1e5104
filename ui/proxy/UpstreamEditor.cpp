#include "UpstreamEditor.h"

#include <QApplication>
#include <QAbstractItemView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QSet>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
// The kind a row's combo box had before the last choice (its stored name).
const char *const kPreviousKind = "previousKind";
} // namespace

const QList<UpstreamKind> &UpstreamEditor::allKinds()
{
    static const QList<UpstreamKind> kinds{UpstreamKind::OpenAi, UpstreamKind::Anthropic, UpstreamKind::AzureOpenAi,
                                           UpstreamKind::OpenRouter, UpstreamKind::OpenAiCompatible};
    return kinds;
}

QString UpstreamEditor::kindLabel(UpstreamKind kind)
{
    switch (kind) {
    case UpstreamKind::OpenAi: return tr("OpenAI");
    case UpstreamKind::Anthropic: return tr("Anthropic");
    case UpstreamKind::AzureOpenAi: return tr("Azure OpenAI");
    case UpstreamKind::OpenRouter: return tr("OpenRouter");
    case UpstreamKind::OpenAiCompatible: return tr("OpenAI-compatible (vLLM, Ollama, LM Studio…)");
    }
    return {};
}

UpstreamEditor::UpstreamEditor(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"proxyUpstreamEditor"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(u"proxyUpstreams"_s);
    m_table->setHorizontalHeaderLabels({tr("Name"), tr("Kind"), tr("Base URL"), tr("Keychain entry")});
    m_table->horizontalHeader()->setSectionResizeMode(Kind, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(BaseUrl, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(KeychainEntry, QHeaderView::ResizeToContents);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setMinimumHeight(m_table->horizontalHeader()->sizeHint().height()
                              + 3 * m_table->verticalHeader()->defaultSectionSize() + 4);
    m_table->setMaximumHeight(180);
    m_table->installEventFilter(this);
    layout->addWidget(m_table);

    auto *buttons = new QHBoxLayout;
    m_add = new QPushButton(tr("Add upstream"), this);
    m_add->setObjectName(u"proxyAddUpstream"_s);
    m_add->setToolTip(tr("Adds an upstream row (Insert key in the table)."));
    m_remove = new QPushButton(tr("Remove upstream"), this);
    m_remove->setObjectName(u"proxyRemoveUpstream"_s);
    m_remove->setToolTip(tr("Removes the selected upstream (Delete key in the table). A key it has in the keychain "
                            "stays there."));
    m_problems = new QLabel(this);
    m_problems->setObjectName(u"proxyUpstreamProblems"_s);
    m_problems->setWordWrap(true);
    m_problems->setTextFormat(Qt::PlainText);
    m_problems->hide();
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addStretch();
    layout->addLayout(buttons);
    layout->addWidget(m_problems);

    connect(m_add, &QPushButton::clicked, this, &UpstreamEditor::addRow);
    connect(m_remove, &QPushButton::clicked, this, &UpstreamEditor::removeCurrentRow);
    connect(m_table, &QTableWidget::itemChanged, this, [this]() {
        if (m_checking)
            return;
        check();
        Q_EMIT edited();
    });
    connect(m_table, &QTableWidget::currentCellChanged, this,
            [this](int row) { m_remove->setEnabled(row >= 0 && row < m_table->rowCount()); });
    m_remove->setEnabled(false);
}

bool UpstreamEditor::eventFilter(QObject *watched, QEvent *event)
{
    // On the table itself only: while a cell is edited its editor has the keys.
    if (watched == m_table && event->type() == QEvent::KeyPress && m_table->isEnabled()) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->modifiers() == Qt::NoModifier || key->modifiers() == Qt::KeypadModifier) {
            if (key->key() == Qt::Key_Insert) {
                addRow();
                return true;
            }
            if (key->key() == Qt::Key_Delete) {
                removeCurrentRow();
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

void UpstreamEditor::insertRow(int row, const QString &id, const QString &kind, const QString &baseUrl,
                               const QString &entry)
{
    m_checking = true;
    m_table->insertRow(row);
    m_table->setItem(row, Name, new QTableWidgetItem(id));
    m_table->setItem(row, BaseUrl, new QTableWidgetItem(baseUrl));
    m_table->setItem(row, KeychainEntry, new QTableWidgetItem(entry));
    auto *kindItem = new QTableWidgetItem;
    kindItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    m_table->setItem(row, Kind, kindItem);
    auto *combo = new QComboBox;
    combo->setObjectName(u"proxyUpstreamKind"_s);
    combo->setToolTip(tr("How the proxy addresses and authenticates this upstream."));
    // As wide as the short kind names: the long "OpenAI-compatible (vLLM, …)" is elided in the cell (whole in the
    // list), so the Base URL column keeps its room in a 900 px window.
    int chars = 0, widest = 0;
    for (UpstreamKind k : allKinds()) {
        combo->addItem(kindLabel(k), toString(k));
        if (k != UpstreamKind::OpenAiCompatible)
            chars = std::max(chars, int(kindLabel(k).size()));
        widest = std::max(widest, combo->fontMetrics().horizontalAdvance(kindLabel(k)));
    }
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(chars + 1);
    combo->view()->setMinimumWidth(widest + 4 * combo->fontMetrics().averageCharWidth());
    const auto known = upstreamKindFromString(kind);
    if (known) {
        combo->setCurrentIndex(combo->findData(toString(*known)));
    } else {
        // A name the proxy does not know (a settings file from an older version, edited by hand): shown as
        // it is, and check() says so, until a known kind is chosen.
        combo->addItem(tr("%1 (unknown kind)").arg(kind), kind);
        combo->setCurrentIndex(combo->count() - 1);
    }
    combo->setProperty(kPreviousKind, combo->currentData());
    connect(combo, &QComboBox::currentIndexChanged, this, [this, combo]() { kindChosen(combo); });
    m_table->setCellWidget(row, Kind, combo);
    m_checking = false;
}

void UpstreamEditor::setRows(const QJsonArray &rows)
{
    m_checking = true;
    m_table->setRowCount(0);
    for (const QJsonValue &v : rows) {
        const QJsonObject o = v.toObject();
        insertRow(m_table->rowCount(), o.value("id"_L1).toString(), o.value("kind"_L1).toString(),
                  o.value("baseUrl"_L1).toString(), o.value("keychainEntry"_L1).toString());
    }
    m_checking = false;
    check();
}

QJsonArray UpstreamEditor::rows() const
{
    QJsonArray out;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QComboBox *combo = kindCombo(row);
        out.append(QJsonObject{{"id"_L1, text(row, Name)},
                               {"kind"_L1, combo ? combo->currentData().toString() : QString()},
                               {"baseUrl"_L1, text(row, BaseUrl)},
                               {"keychainEntry"_L1, text(row, KeychainEntry)}});
    }
    return out;
}

QList<UpstreamConfig> UpstreamEditor::configs() const
{
    QList<UpstreamConfig> out;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QComboBox *combo = kindCombo(row);
        const UpstreamKind kind = upstreamKindFromString(combo ? combo->currentData().toString() : QString())
                                      .value_or(UpstreamKind::OpenAiCompatible);
        UpstreamConfig u = UpstreamConfig::defaults(kind);
        u.id = text(row, Name);
        u.baseUrl = QUrl(text(row, BaseUrl));
        u.keychainEntry = text(row, KeychainEntry);
        out << u;
    }
    return out;
}

int UpstreamEditor::rowCount() const
{
    return m_table->rowCount();
}

int UpstreamEditor::currentRow() const
{
    return m_table->currentRow();
}

QString UpstreamEditor::keychainEntry(int row) const
{
    return text(row, KeychainEntry);
}

QComboBox *UpstreamEditor::kindCombo(int row) const
{
    return qobject_cast<QComboBox *>(m_table->cellWidget(row, Kind));
}

QString UpstreamEditor::text(int row, int column) const
{
    const QTableWidgetItem *item = m_table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

void UpstreamEditor::addRow()
{
    QSet<QString> taken;
    for (int row = 0; row < m_table->rowCount(); ++row)
        taken.insert(text(row, Name));
    UpstreamKind kind = UpstreamKind::OpenAiCompatible;
    QString id;
    for (UpstreamKind k : {UpstreamKind::OpenAi, UpstreamKind::Anthropic, UpstreamKind::OpenRouter,
                           UpstreamKind::AzureOpenAi, UpstreamKind::OpenAiCompatible}) {
        if (!taken.contains(toString(k))) {
            kind = k;
            id = toString(k);
            break;
        }
    }
    for (int n = 2; id.isEmpty(); ++n) {
        if (const QString candidate = u"%1-%2"_s.arg(toString(kind)).arg(n); !taken.contains(candidate))
            id = candidate;
    }
    const UpstreamConfig defaults = UpstreamConfig::defaults(kind);
    const int row = m_table->rowCount();
    insertRow(row, id, toString(kind), defaults.baseUrl.toString(), UpstreamConfig::defaultKeychainEntry(id));
    check();
    // Its name cell is current: typing renames it (F2 or any key starts editing).
    m_table->setCurrentCell(row, Name);
    m_table->setFocus();
    Q_EMIT edited();
}

void UpstreamEditor::removeCurrentRow()
{
    const int row = m_table->currentRow();
    if (row < 0 || row >= m_table->rowCount())
        return;
    m_table->removeRow(row);
    if (m_table->rowCount() > 0)
        m_table->setCurrentCell(std::min(row, m_table->rowCount() - 1), Name);
    m_remove->setEnabled(m_table->currentRow() >= 0);
    check();
    Q_EMIT edited();
}

void UpstreamEditor::kindChosen(QComboBox *combo)
{
    int row = -1;
    for (int r = 0; r < m_table->rowCount() && row < 0; ++r) {
        if (kindCombo(r) == combo)
            row = r;
    }
    if (row < 0)
        return;
    const QString before = combo->property(kPreviousKind).toString();
    const QString after = combo->currentData().toString();
    combo->setProperty(kPreviousKind, after);
    // An unknown kind that was replaced leaves the list.
    for (int i = combo->count() - 1; i >= 0; --i) {
        if (i != combo->currentIndex() && !upstreamKindFromString(combo->itemData(i).toString()))
            combo->removeItem(i);
    }
    // What still is the old kind's default follows the new kind: the base URL, the name, the keychain entry.
    const auto oldKind = upstreamKindFromString(before);
    const auto newKind = upstreamKindFromString(after);
    if (newKind) {
        m_checking = true;
        const UpstreamConfig oldDefaults = UpstreamConfig::defaults(oldKind.value_or(*newKind));
        const UpstreamConfig newDefaults = UpstreamConfig::defaults(*newKind);
        const QString url = text(row, BaseUrl);
        if (url.isEmpty() || (oldKind && url == oldDefaults.baseUrl.toString()))
            m_table->item(row, BaseUrl)->setText(newDefaults.baseUrl.toString());
        const QString id = text(row, Name);
        bool idFree = true;
        for (int r = 0; r < m_table->rowCount(); ++r)
            idFree = idFree && (r == row || text(r, Name) != newDefaults.id);
        if (oldKind && id.startsWith(oldDefaults.id) && idFree) {
            const QString newId = newDefaults.id + id.mid(oldDefaults.id.size());
            if (text(row, KeychainEntry) == UpstreamConfig::defaultKeychainEntry(id))
                m_table->item(row, KeychainEntry)->setText(UpstreamConfig::defaultKeychainEntry(newId));
            m_table->item(row, Name)->setText(newId);
        }
        m_checking = false;
    }
    check();
    Q_EMIT edited();
}

QStringList UpstreamEditor::rowProblems(int row, QList<int> *columns) const
{
    QStringList out;
    const QString id = text(row, Name);
    if (id.isEmpty()) {
        out << tr("give the upstream a name");
        *columns << Name;
    } else {
        for (int r = 0; r < m_table->rowCount(); ++r) {
            if (r != row && text(r, Name) == id) {
                out << tr("another upstream is also named \"%1\"; names must be unique").arg(id);
                *columns << Name;
                break;
            }
        }
    }
    if (const QComboBox *combo = kindCombo(row); combo && !upstreamKindFromString(combo->currentData().toString())) {
        out << tr("\"%1\" is not a kind the proxy knows; choose one").arg(combo->currentData().toString());
        *columns << Kind;
    }
    const QString url = text(row, BaseUrl);
    const QUrl parsed(url);
    if (url.isEmpty()) {
        out << tr("needs a base URL starting with http:// or https://");
        *columns << BaseUrl;
    } else if (!parsed.isValid() || (parsed.scheme() != "http"_L1 && parsed.scheme() != "https"_L1)) {
        out << tr("base URL \"%1\" needs http:// or https:// in front").arg(url);
        *columns << BaseUrl;
    } else if (parsed.host().isEmpty()) {
        out << tr("base URL \"%1\" has no host").arg(url);
        *columns << BaseUrl;
    }
    return out;
}

QStringList UpstreamEditor::problems() const
{
    QStringList out;
    if (m_table->rowCount() == 0)
        out << tr("Add at least one upstream.");
    for (int row = 0; row < m_table->rowCount(); ++row) {
        QList<int> columns;
        const QStringList reasons = rowProblems(row, &columns);
        if (!reasons.isEmpty()) {
            const QString name = text(row, Name);
            out << (name.isEmpty() ? tr("Row %1: %2").arg(row + 1).arg(reasons.join(u"; "_s))
                                   : tr("Row %1 (%2): %3").arg(row + 1).arg(name, reasons.join(u"; "_s)));
        }
    }
    return out;
}

void UpstreamEditor::check()
{
    m_checking = true;
    const QIcon warning = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (int row = 0; row < m_table->rowCount(); ++row) {
        QList<int> columns;
        const QStringList reasons = rowProblems(row, &columns);
        for (int column : {int(Name), int(BaseUrl)}) {
            QTableWidgetItem *item = m_table->item(row, column);
            if (!item)
                continue;
            const bool bad = columns.contains(column);
            item->setData(Qt::DecorationRole, bad ? QVariant(warning) : QVariant());
            item->setToolTip(bad ? reasons.join(u'\n') : QString());
        }
        if (QComboBox *combo = kindCombo(row)) {
            combo->setToolTip(columns.contains(Kind) ? reasons.join(u'\n')
                                                     : tr("How the proxy addresses and authenticates this upstream."));
        }
    }
    const QStringList all = problems();
    m_problems->setText(all.join(u'\n'));
    m_problems->setVisible(!all.isEmpty());
    m_checking = false;
}

} // namespace tl
