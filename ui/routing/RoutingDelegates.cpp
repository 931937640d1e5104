#include "RoutingDelegates.h"

#include <QComboBox>
#include <QCompleter>
#include <QLineEdit>
#include <QSpinBox>

using namespace Qt::StringLiterals;

namespace tl {

RoutingDelegate::RoutingDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

void RoutingDelegate::setChoices(int column, const QList<std::pair<QString, int>> &choices)
{
    m_choices.insert(column, choices);
}

void RoutingDelegate::setLimit(int column, int lowest, const QString &specialText, int maximum)
{
    m_limits.insert(column, Limit {lowest, specialText, maximum});
}

void RoutingDelegate::setCompletions(int column, std::function<QStringList(const QModelIndex &)> names)
{
    m_completions.insert(column, std::move(names));
}

QWidget *RoutingDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                                       const QModelIndex &index) const
{
    if (const auto it = m_choices.constFind(index.column()); it != m_choices.cend()) {
        auto *box = new QComboBox(parent);
        box->setObjectName(u"routingCellChoice"_s);
        for (const auto &[text, value] : *it)
            box->addItem(text, value);
        return box;
    }
    if (const auto it = m_limits.constFind(index.column()); it != m_limits.cend()) {
        auto *spin = new QSpinBox(parent);
        spin->setObjectName(u"routingCellLimit"_s);
        spin->setRange(it->lowest, it->maximum);
        spin->setSpecialValueText(it->specialText);
        spin->setGroupSeparatorShown(true);
        return spin;
    }
    if (const auto it = m_completions.constFind(index.column()); it != m_completions.cend()) {
        auto *edit = new QLineEdit(parent);
        edit->setObjectName(u"routingCellText"_s);
        auto *completer = new QCompleter((*it)(index), edit);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        completer->setFilterMode(Qt::MatchContains);
        edit->setCompleter(completer);
        return edit;
    }
    return QStyledItemDelegate::createEditor(parent, option, index);
}

void RoutingDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    const QVariant value = index.data(Qt::EditRole);
    if (auto *box = qobject_cast<QComboBox *>(editor); box && m_choices.contains(index.column())) {
        box->setCurrentIndex(std::max(0, box->findData(value.toInt())));
        return;
    }
    if (auto *spin = qobject_cast<QSpinBox *>(editor); spin && m_limits.contains(index.column())) {
        spin->setValue(int(std::clamp<qint64>(value.toLongLong(), spin->minimum(), spin->maximum())));
        return;
    }
    QStyledItemDelegate::setEditorData(editor, index);
}

void RoutingDelegate::setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const
{
    if (auto *box = qobject_cast<QComboBox *>(editor); box && m_choices.contains(index.column())) {
        model->setData(index, box->currentData(), Qt::EditRole);
        return;
    }
    if (auto *spin = qobject_cast<QSpinBox *>(editor); spin && m_limits.contains(index.column())) {
        spin->interpretText();
        model->setData(index, qint64(spin->value()), Qt::EditRole);
        return;
    }
    QStyledItemDelegate::setModelData(editor, model, index);
}

} // namespace tl
