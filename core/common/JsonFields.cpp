#include "JsonFields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace tl::json {

namespace {
bool matches(const QJsonValue &v, Type type)
{
    switch (type) {
    case Type::Bool: return v.isBool();
    case Type::Number: return v.isDouble();
    case Type::WholeNumber: {
        if (!v.isDouble())
            return false;
        const double d = v.toDouble();
        return std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.0e15;
    }
    case Type::String: return v.isString();
    case Type::StringList: {
        if (!v.isArray())
            return false;
        const QJsonArray a = v.toArray();
        return std::all_of(a.begin(), a.end(), [](const QJsonValue &x) { return x.isString(); });
    }
    case Type::Array: return v.isArray();
    case Type::Object: return v.isObject();
    }
    return false;
}

// What the user wrote, short: `the string "2"`, `the number 2.5`, `null`, `an object`.
QString got(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null: return u"null"_s;
    case QJsonValue::Bool: return v.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double: return u"the number "_s + QString::number(v.toDouble(), 'g', 17);
    case QJsonValue::String: {
        QString s = v.toString();
        if (s.size() > 40)
            s = s.left(40) + u"..."_s;
        return u"the string \"%1\""_s.arg(s);
    }
    case QJsonValue::Array: return u"an array"_s;
    case QJsonValue::Object: return u"an object"_s;
    case QJsonValue::Undefined: break;
    }
    return u"nothing"_s;
}
} // namespace

QString describe(Type type)
{
    switch (type) {
    case Type::Bool: return u"true or false"_s;
    case Type::Number: return u"a number"_s;
    case Type::WholeNumber: return u"a whole number"_s;
    case Type::String: return u"a string"_s;
    case Type::StringList: return u"a list of strings"_s;
    case Type::Array: return u"a list"_s;
    case Type::Object: return u"an object"_s;
    }
    return {};
}

Result<void> checkFields(const QJsonObject &object, std::initializer_list<Field> fields, QStringView where)
{
    return checkFields(object, std::span<const Field>(fields.begin(), fields.size()), where);
}

Result<void> checkFields(const QJsonObject &object, std::span<const Field> fields, QStringView where)
{
    auto path = [&](const QString &key) { return where.isEmpty() ? key : where.toString() + u'.' + key; };
    for (auto it = object.begin(); it != object.end(); ++it) {
        const Field *field = nullptr;
        for (const Field &f : fields) {
            if (f.key == it.key())
                field = &f;
        }
        if (!field) {
            QStringList known;
            for (const Field &f : fields)
                known << QString(f.key);
            return fail(ErrorCode::InvalidArgument,
                        u"unknown key \"%1\" (known: %2)"_s.arg(path(it.key()), known.join(u", "_s)));
        }
        if (field->type == Type::WholeNumber && it.value().isDouble() && std::isfinite(it.value().toDouble())
            && it.value().toDouble() == std::floor(it.value().toDouble()) && !matches(it.value(), field->type))
            return fail(ErrorCode::InvalidArgument, u"\"%1\" is too large: got %2 (whole numbers here are below "
                                                    "9,000,000,000,000,000 in size)"_s
                                                        .arg(path(it.key()), got(it.value())));
        if (!matches(it.value(), field->type))
            return fail(ErrorCode::InvalidArgument, u"\"%1\" must be %2, got %3"_s.arg(path(it.key()),
                                                                                       describe(field->type),
                                                                                       got(it.value())));
    }
    return {};
}

} // namespace tl::json
