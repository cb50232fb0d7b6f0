/**
 * The bridge to Microsoft's Kusto language service (`@kusto/language-service-next`,
 * AZURE.md section 11): loading it, declaring tables, parsing and analysing a query.
 *
 * The package is a Bridge.NET build that defines the global `Kusto.Language`; its
 * 1.7 MB type file declares global namespaces, so this module types only the few
 * members the engine reads.
 */
import { createRequire } from 'node:module';

/** A syntax node or token of the language service's tree (only the members the engine reads). */
export interface SyntaxElement {
  readonly Kind: number;
  readonly ChildCount: number;
  GetChild(index: number): SyntaxElement | null;
  readonly IsToken: boolean;
  readonly TextStart: number;
  readonly Width: number;
  readonly Text?: string | null;
  readonly SimpleName?: string | null;
  readonly IsLiteral?: boolean;
  readonly LiteralValue?: unknown;
  readonly LiteralValueInfo?: { readonly ValueText: string | null } | null;
  readonly ResultType?: KustoSymbol | null;
  readonly ReferencedSymbol?: KustoSymbol | null;
  readonly Left?: SyntaxElement | null;
  readonly Right?: SyntaxElement | null;
  readonly Operator?: SyntaxElement | null;
  readonly Expression?: SyntaxElement | null;
  readonly Expressions?: SyntaxElement | null;
  readonly Condition?: SyntaxElement | null;
  readonly Selector?: SyntaxElement | null;
  readonly Name?: SyntaxElement | null;
  readonly ArgumentList?: SyntaxElement | null;
  readonly Aggregates?: SyntaxElement | null;
  readonly ByClause?: SyntaxElement | null;
  readonly ByExpression?: SyntaxElement | null;
  readonly Parameters?: SyntaxElement | null;
  readonly Ordering?: SyntaxElement | null;
  readonly AscOrDescKeyword?: SyntaxElement | null;
  readonly NullsClause?: SyntaxElement | null;
  readonly FirstOrLastKeyword?: SyntaxElement | null;
  readonly Statements?: SyntaxElement | null;
  readonly First?: SyntaxElement | null;
  readonly Second?: SyntaxElement | null;
  readonly BinClause?: SyntaxElement | null;
  readonly Count?: number;
  getItem?(index: number): SyntaxElement;
  readonly Element?: SyntaxElement | null;
}

/** A symbol of the semantic model: table, column, variable, function, type. */
export interface KustoSymbol {
  readonly Name: string | null;
  readonly Kind: number;
  readonly Type?: KustoSymbol | null;
  readonly Columns?: { readonly Count: number; getItem(index: number): KustoSymbol } | null;
}

interface Diagnostic {
  readonly Code: string | null;
  readonly Severity: string | null;
  readonly Message: string | null;
  readonly Start: number;
  readonly Length: number;
}

interface DiagnosticList {
  readonly Count: number;
  getItem(index: number): Diagnostic;
}

interface KustoCode {
  readonly Syntax: SyntaxElement;
  GetDiagnostics(): DiagnosticList;
  GetSyntaxDiagnostics(): DiagnosticList;
}

interface KustoLanguage {
  KustoCode: { ParseAndAnalyze(text: string, globals: unknown): KustoCode };
  KustoFacts: { GetExpressionResultName(expression: SyntaxElement, defaultName: string | null, rowScope: null): string | null };
  GlobalState: { Default: { WithDatabase(database: unknown): unknown } };
  Symbols: {
    ColumnSymbol: new (name: string, type: unknown) => unknown;
    TableSymbol: { $ctor4: new (name: string, columns: unknown[]) => unknown };
    DatabaseSymbol: { ctor: new (name: string, tables: unknown[]) => unknown };
    ScalarTypes: Record<string, unknown>;
    SymbolKind: { $names: string[] };
  };
  Syntax: { SyntaxKind: { $names: string[] } };
}

/** The column types Log Analytics and Resource Graph declare. */
export type KustoColumnType = 'bool' | 'datetime' | 'dynamic' | 'int' | 'long' | 'real' | 'string' | 'guid' | 'timespan' | 'decimal';

/** A declared column: name and Kusto type. */
export interface DeclaredColumn {
  name: string;
  type: KustoColumnType;
}

/** A diagnostic of the language service, with its position in the query text. */
export interface KustoDiagnostic {
  code: string;
  severity: string;
  message: string;
  start: number;
  length: number;
  /** True for a parse error, false for a semantic one (unknown name, wrong type...). */
  syntax: boolean;
}

/** A parsed and analysed query. */
export interface AnalysedQuery {
  syntax: SyntaxElement;
  diagnostics: KustoDiagnostic[];
}

let language: KustoLanguage | undefined;

/** Loads the language service once (about 0.2 s; the first analysis warms it up further). */
export function kustoLanguage(): KustoLanguage {
  if (language === undefined) {
    const require = createRequire(import.meta.url);
    require('@kusto/language-service-next/bridge.min.js');
    require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
    language = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;
  }
  return language;
}

/** The name of a syntax kind ('FilterOperator', 'EqualExpression', ...). */
export function kindName(element: SyntaxElement): string {
  return kustoLanguage().Syntax.SyntaxKind.$names[element.Kind] ?? 'Unknown';
}

/** The name of a symbol kind ('Column', 'Table', 'Variable', 'Function', ...). */
export function symbolKindName(symbol: KustoSymbol): string {
  return kustoLanguage().Symbols.SymbolKind.$names[symbol.Kind] ?? 'Unknown';
}

/** The elements of a syntax list, separated (`a, b`) or not. */
export function listElements(list: SyntaxElement | null | undefined): SyntaxElement[] {
  if (list === null || list === undefined || list.Count === undefined || list.getItem === undefined) return [];
  const elements: SyntaxElement[] = [];
  for (let index = 0; index < list.Count; index += 1) {
    const item = list.getItem(index);
    const element = item.Element !== undefined ? item.Element : item;
    if (element !== null) elements.push(element);
  }
  return elements;
}

/** The columns of a tabular result type, as the language service computed them. */
export function tableColumns(type: KustoSymbol | null | undefined): { name: string; typeName: string }[] {
  const columns = type?.Columns;
  if (columns === null || columns === undefined) return [];
  const result: { name: string; typeName: string }[] = [];
  for (let index = 0; index < columns.Count; index += 1) {
    const column = columns.getItem(index);
    result.push({ name: column.Name ?? '', typeName: column.Type?.Name ?? 'unknown' });
  }
  return result;
}

/** The column name the language service gives an unnamed expression in project/extend/summarize. */
export function expressionResultName(expression: SyntaxElement): string | null {
  return kustoLanguage().KustoFacts.GetExpressionResultName(expression, null, null);
}

const scalarTypeKey: Record<KustoColumnType, string> = {
  bool: 'Bool', datetime: 'DateTime', dynamic: 'Dynamic', int: 'Int', long: 'Long', real: 'Real',
  string: 'String', guid: 'Guid', timespan: 'TimeSpan', decimal: 'Decimal',
};

const globalsCache = new WeakMap<object, unknown>();

/** The language service's global state with one database holding exactly these tables. */
export function globalsFor(schemas: Record<string, readonly DeclaredColumn[]>): unknown {
  const cached = globalsCache.get(schemas);
  if (cached !== undefined) return cached;
  const kusto = kustoLanguage();
  const tables = Object.entries(schemas).map(([tableName, columns]) => new kusto.Symbols.TableSymbol.$ctor4(
    tableName,
    columns.map((column) => new kusto.Symbols.ColumnSymbol(column.name, kusto.Symbols.ScalarTypes[scalarTypeKey[column.type]])),
  ));
  const globals = kusto.GlobalState.Default.WithDatabase(new kusto.Symbols.DatabaseSymbol.ctor('workspace', tables));
  globalsCache.set(schemas, globals);
  return globals;
}

function toDiagnostics(list: DiagnosticList, syntax: boolean): KustoDiagnostic[] {
  const diagnostics: KustoDiagnostic[] = [];
  for (let index = 0; index < list.Count; index += 1) {
    const diagnostic = list.getItem(index);
    diagnostics.push({
      code: diagnostic.Code ?? '', severity: diagnostic.Severity ?? 'Error', message: diagnostic.Message ?? '',
      start: diagnostic.Start, length: diagnostic.Length, syntax,
    });
  }
  return diagnostics;
}

/** Parses and analyses a query against the given globals (see {@link globalsFor}). */
export function analyse(query: string, globals: unknown): AnalysedQuery {
  const code = kustoLanguage().KustoCode.ParseAndAnalyze(query, globals);
  const syntaxDiagnostics = toDiagnostics(code.GetSyntaxDiagnostics(), true);
  const syntaxKeys = new Set(syntaxDiagnostics.map((diagnostic) => `${diagnostic.start}:${diagnostic.code}`));
  const semanticDiagnostics = toDiagnostics(code.GetDiagnostics(), false)
    .filter((diagnostic) => !syntaxKeys.has(`${diagnostic.start}:${diagnostic.code}`));
  return { syntax: code.Syntax, diagnostics: [...syntaxDiagnostics, ...semanticDiagnostics] };
}
