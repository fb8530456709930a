namespace AuroraDsql.Rules;

/// <summary>A run-time parameter a statement sets (<see cref="ValueIndex"/>: the token index of its value) or resets (-1).</summary>
readonly record struct SettingAssignment(string Name, int ValueIndex);
