#pragma once

#include <QString>

class QDialog;
class QWidget;

namespace tl {

// The one seam through which the UI asks the user something: message boxes, file pickers and
// dialogs. The app uses this default implementation (Qt's standard dialogs); GUI tests pass a
// subclass that answers from a script, so no test ever blocks on a modal window.
// Thread affinity: GUI thread.
class Prompter
{
public:
    virtual ~Prompter() = default;

    // A file to read; "" when the user cancels. `filter` as in QFileDialog ("CSV (*.csv)").
    virtual QString openFileName(QWidget *parent, const QString &caption, const QString &filter);
    // A file to write; "" when the user cancels. `suggested` is the proposed path.
    virtual QString saveFileName(QWidget *parent, const QString &caption, const QString &suggested,
                                 const QString &filter);
    virtual void information(QWidget *parent, const QString &title, const QString &text);
    virtual void warning(QWidget *parent, const QString &title, const QString &text);
    // Yes/No question; true for Yes.
    virtual bool confirm(QWidget *parent, const QString &title, const QString &text);
    // Rich-text About box.
    virtual void about(QWidget *parent, const QString &title, const QString &text);
    // Shows a dialog window-modally without blocking (QDialog::open); the dialog deletes itself on
    // close. Callers react to its accepted()/finished() signals.
    virtual void showDialog(QDialog *dialog);
};

} // namespace tl
