#pragma once

#include "pricing/Pricer.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QDialogButtonBox;

namespace tl {

// Maps a model name as an API reports it (an Azure deployment "prod-gpt4o") to a priced model.
class AliasDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AliasDialog)

public:
    // `providers`: provider ids; `models`: model ids offered for completion.
    AliasDialog(const QStringList &providers, const QStringList &models, QWidget *parent = nullptr);
    void setAlias(const ModelAlias &alias);
    ModelAlias result() const;

private:
    void validate();

    QLineEdit *m_alias;
    QComboBox *m_provider;
    QComboBox *m_model;
    QDialogButtonBox *m_buttons;
};

} // namespace tl
