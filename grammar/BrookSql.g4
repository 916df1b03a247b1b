// brook's SQL dialect: ksqlDB's statements and expressions (see docs/sql.md).
// Keywords are case-insensitive; identifiers are upper-cased by the AST builder unless quoted.
grammar BrookSql;

statements
    : (statement SEMICOLON)* statement? EOF
    ;

singleExpression
    : expression EOF
    ;

statement
    : query                                                                  #queryStatement
    | (LIST | SHOW) PROPERTIES                                               #listProperties
    | (LIST | SHOW) ALL? TOPICS EXTENDED?                                    #listTopics
    | (LIST | SHOW) STREAMS EXTENDED?                                        #listStreams
    | (LIST | SHOW) TABLES EXTENDED?                                         #listTables
    | (LIST | SHOW) FUNCTIONS                                                #listFunctions
    | (LIST | SHOW) TYPES                                                    #listTypes
    | (LIST | SHOW) VARIABLES                                                #listVariables
    | (LIST | SHOW) QUERIES EXTENDED?                                        #listQueries
    | DESCRIBE (STREAMS | TABLES) EXTENDED?                                  #describeStreams
    | DESCRIBE FUNCTION identifier                                           #describeFunction
    | DESCRIBE sourceName EXTENDED?                                          #describeSource
    | PRINT (identifier | STRING) printClause                                #printTopic
    | TERMINATE (identifier | ALL)                                           #terminateQuery
    | SET STRING EQ STRING                                                   #setProperty
    | UNSET STRING                                                           #unsetProperty
    | DEFINE identifier EQ STRING                                            #defineVariable
    | UNDEFINE identifier                                                    #undefineVariable
    | EXPLAIN (statement | identifier)                                       #explain
    | CREATE (OR REPLACE)? SOURCE? STREAM (IF NOT EXISTS)? sourceName
        (LPAREN tableElements RPAREN)? withProperties?                       #createStream
    | CREATE (OR REPLACE)? STREAM (IF NOT EXISTS)? sourceName
        withProperties? AS query                                             #createStreamAs
    | CREATE (OR REPLACE)? SOURCE? TABLE (IF NOT EXISTS)? sourceName
        (LPAREN tableElements RPAREN)? withProperties?                       #createTable
    | CREATE (OR REPLACE)? TABLE (IF NOT EXISTS)? sourceName
        withProperties? AS query                                             #createTableAs
    | CREATE TYPE (IF NOT EXISTS)? identifier AS type                        #registerType
    | DROP TYPE (IF EXISTS)? identifier                                      #dropType
    | INSERT INTO sourceName withProperties? query                           #insertInto
    | INSERT INTO sourceName (LPAREN columns RPAREN)? VALUES
        LPAREN (expression (COMMA expression)*)? RPAREN                      #insertValues
    | ALTER (STREAM | TABLE) sourceName alterOption (COMMA alterOption)*     #alterSource
    | DROP STREAM (IF EXISTS)? sourceName (DELETE TOPIC)?                    #dropStream
    | DROP TABLE (IF EXISTS)? sourceName (DELETE TOPIC)?                     #dropTable
    ;

query
    : SELECT selectItem (COMMA selectItem)*
      FROM from=relation
      windowExpression?
      (WHERE where=booleanExpression)?
      (GROUP BY groupBy)?
      (PARTITION BY partitionBy)?
      (HAVING having=booleanExpression)?
      (EMIT resultMaterialization)?
      limitClause?
    ;

resultMaterialization
    : CHANGES
    | FINAL
    ;

limitClause
    : LIMIT number
    ;

printClause
    : (FROM BEGINNING)? intervalClause? limitClause?
    ;

intervalClause
    : (INTERVAL | SAMPLE) number
    ;

tableElements
    : tableElement (COMMA tableElement)*
    ;

tableElement
    : identifier type columnConstraints?
    ;

columnConstraints
    : PRIMARY? KEY
    | HEADERS
    | HEADER LPAREN STRING RPAREN
    ;

columns
    : identifier (COMMA identifier)*
    ;

alterOption
    : ADD COLUMN? identifier type
    ;

withProperties
    : WITH LPAREN property (COMMA property)* RPAREN
    ;

property
    : identifier EQ literal
    ;

windowExpression
    : WINDOW (identifier)?
      ( tumblingWindowExpression | hoppingWindowExpression | sessionWindowExpression
      | slidingWindowExpression )
    ;

tumblingWindowExpression
    : TUMBLING LPAREN SIZE duration (COMMA windowOption)* RPAREN
    ;

hoppingWindowExpression
    : HOPPING LPAREN SIZE duration COMMA ADVANCE BY duration (COMMA windowOption)* RPAREN
    ;

sessionWindowExpression
    : SESSION LPAREN duration (COMMA windowOption)* RPAREN
    ;

// brook's extension: Kafka Streams' sliding windows (a window per record time span).
slidingWindowExpression
    : SLIDING LPAREN SIZE duration (COMMA windowOption)* RPAREN
    ;

windowOption
    : RETENTION duration
    | GRACE PERIOD duration
    ;

duration
    : number windowUnit
    ;

windowUnit
    : DAY | HOUR | MINUTE | SECOND | MILLISECOND
    | DAYS | HOURS | MINUTES | SECONDS | MILLISECONDS
    ;

groupBy
    : valueExpression (COMMA valueExpression)*
    | LPAREN (valueExpression (COMMA valueExpression)*)? RPAREN
    ;

partitionBy
    : valueExpression (COMMA valueExpression)*
    | LPAREN (valueExpression (COMMA valueExpression)*)? RPAREN
    ;

selectItem
    : primaryExpression STRUCT_FIELD_REF ASTERISK                            #selectStructAll
    | expression (AS? identifier)?                                           #selectSingle
    | identifier DOT ASTERISK                                                #selectAll
    | ASTERISK                                                               #selectAll
    ;

relation
    : left=aliasedRelation joinedSource+                                     #joinRelation
    | aliasedRelation                                                        #singleRelation
    ;

joinedSource
    : joinType JOIN aliasedRelation joinWindow? joinCriteria
    ;

joinType
    : INNER?                                                                 #innerJoin
    | FULL OUTER?                                                            #outerJoin
    | LEFT OUTER?                                                            #leftJoin
    | RIGHT OUTER?                                                           #rightJoin
    ;

joinWindow
    : WITHIN withinExpression
    ;

withinExpression
    : LPAREN duration COMMA duration RPAREN (gracePeriodClause)?             #joinWindowWithBeforeAndAfter
    | duration (gracePeriodClause)?                                          #singleJoinWindow
    ;

gracePeriodClause
    : GRACE PERIOD duration
    ;

joinCriteria
    : ON booleanExpression
    ;

// LEFT and RIGHT are not reserved (they may name columns), but right after a source name
// without AS they start a join, never an alias: `FROM s LEFT JOIN t` is a left join.
aliasedRelation
    : sourceName (AS identifier | {_input->LA(1) != LEFT && _input->LA(1) != RIGHT}? identifier)?
    ;

sourceName
    : identifier
    ;

expression
    : booleanExpression
    ;

booleanExpression
    : predicated                                                             #booleanDefault
    | NOT booleanExpression                                                  #logicalNot
    | left=booleanExpression op=AND right=booleanExpression                  #logicalBinary
    | left=booleanExpression op=OR right=booleanExpression                   #logicalBinary
    ;

predicated
    : valueExpression predicate?
    ;

predicate
    : comparisonOperator right=valueExpression                               #comparison
    | IS NOT? DISTINCT FROM right=valueExpression                            #distinctFrom
    | NOT? BETWEEN lower=valueExpression AND upper=valueExpression           #between
    | NOT? IN LPAREN expression (COMMA expression)* RPAREN                   #inList
    | NOT? LIKE pattern=valueExpression (ESCAPE escape=STRING)?              #like
    | IS NOT? NULL_                                                           #nullPredicate
    ;

valueExpression
    : primaryExpression                                                      #valueExpressionDefault
    | op=(MINUS | PLUS) valueExpression                                      #arithmeticUnary
    | left=valueExpression op=(ASTERISK | SLASH | PERCENT) right=valueExpression  #arithmeticBinary
    | left=valueExpression op=(PLUS | MINUS) right=valueExpression           #arithmeticBinary
    | left=valueExpression CONCAT right=valueExpression                      #concatenation
    ;

primaryExpression
    : literal                                                                #literalExpression
    | CASE operand=valueExpression whenClause+ (ELSE elseExpression=expression)? END  #simpleCase
    | CASE whenClause+ (ELSE elseExpression=expression)? END                 #searchedCase
    | CAST LPAREN expression AS type RPAREN                                  #cast
    | ARRAY LBRACKET (expression (COMMA expression)*)? RBRACKET              #arrayConstructor
    | MAP LPAREN (expression ASSIGN expression (COMMA expression ASSIGN expression)*)? RPAREN  #mapConstructor
    | STRUCT LPAREN (identifier ASSIGN expression (COMMA identifier ASSIGN expression)*)? RPAREN  #structConstructor
    | identifier LPAREN ASTERISK RPAREN                                      #functionCall
    | identifier LPAREN (functionArgument (COMMA functionArgument)*)? RPAREN #functionCall
    | value=primaryExpression LBRACKET index=valueExpression RBRACKET        #subscript
    | identifier                                                             #columnReference
    | identifier DOT identifier                                              #qualifiedColumnReference
    | base=primaryExpression STRUCT_FIELD_REF fieldName=identifier           #dereference
    | LPAREN expression RPAREN                                               #parenthesizedExpression
    ;

functionArgument
    : expression
    | lambdaFunction
    ;

lambdaFunction
    : identifier LAMBDA expression                                           #lambda
    | LPAREN identifier (COMMA identifier)* RPAREN LAMBDA expression         #lambda
    ;

whenClause
    : WHEN condition=expression THEN result=expression
    ;

comparisonOperator
    : EQ | NEQ | LT | LTE | GT | GTE
    ;

type
    : type ARRAY
    | ARRAY LT type GT
    | MAP LT type COMMA type GT
    | STRUCT LT (identifier type (COMMA identifier type)*)? GT
    | DECIMAL LPAREN number COMMA number RPAREN
    | baseType (LPAREN typeParameter (COMMA typeParameter)* RPAREN)?
    ;

typeParameter
    : INTEGER_VALUE
    | KW_STRING
    ;

baseType
    : identifier
    ;

literal
    : NULL_                                                                  #nullLiteral
    | number                                                                 #numericLiteral
    | booleanValue                                                           #booleanLiteral
    | STRING                                                                 #stringLiteral
    | VARIABLE                                                               #variableLiteral
    ;

booleanValue
    : TRUE | FALSE
    ;

number
    : MINUS? DECIMAL_VALUE                                                   #decimalLiteral
    | MINUS? FLOATING_POINT_VALUE                                            #floatLiteral
    | MINUS? INTEGER_VALUE                                                   #integerLiteral
    ;

identifier
    : IDENTIFIER                                                             #unquotedIdentifier
    | QUOTED_IDENTIFIER                                                      #quotedIdentifierAlternative
    | nonReserved                                                            #unquotedIdentifier
    | BACKQUOTED_IDENTIFIER                                                  #backQuotedIdentifier
    | DIGIT_IDENTIFIER                                                       #digitIdentifier
    | VARIABLE                                                               #variableIdentifier
    ;

nonReserved
    : SHOW | TABLES | COLUMNS | COLUMN | PARTITIONS | FUNCTIONS | FUNCTION | SESSION
    | STRUCT | MAP | ARRAY | PARTITION
    | INTEGER | DATE | TIME | TIMESTAMP | INTERVAL | ZONE
    | YEAR | MONTH | DAY | HOUR | MINUTE | SECOND | MILLISECOND
    | YEARS | MONTHS | DAYS | HOURS | MINUTES | SECONDS | MILLISECONDS
    | EXPLAIN | ANALYZE | TYPE | TYPES
    | SET | RESET | UNSET | DEFINE | UNDEFINE | VARIABLES
    | IF | SOURCE | SINK
    | PRIMARY | REPLACE | ASSERT | ALL | TOPICS | TOPIC | STREAMS | QUERIES | PROPERTIES
    | KEY | HEADERS | HEADER | SIZE | ADVANCE | RETENTION | GRACE | PERIOD | SAMPLE
    | BEGINNING | CHANGES | FINAL | EXTENDED | DESCRIBE | LIST | PRINT | TERMINATE
    | VALUES | DELETE | TUMBLING | HOPPING | SLIDING | EMIT | LIMIT | DECIMAL | RIGHT | LEFT
    | KW_STRING | ADD | ALTER
    ;

EMIT: E M I T;
CHANGES: C H A N G E S;
FINAL: F I N A L;
SELECT: S E L E C T;
FROM: F R O M;
AS: A S;
ALL: A L L;
DISTINCT: D I S T I N C T;
WHERE: W H E R E;
WITHIN: W I T H I N;
WINDOW: W I N D O W;
GROUP: G R O U P;
BY: B Y;
HAVING: H A V I N G;
LIMIT: L I M I T;
OR: O R;
AND: A N D;
IN: I N;
NOT: N O T;
EXISTS: E X I S T S;
BETWEEN: B E T W E E N;
LIKE: L I K E;
ESCAPE: E S C A P E;
IS: I S;
NULL_: N U L L;
TRUE: T R U E;
FALSE: F A L S E;
INTEGER: I N T E G E R;
DATE: D A T E;
TIME: T I M E;
TIMESTAMP: T I M E S T A M P;
INTERVAL: I N T E R V A L;
YEAR: Y E A R;
MONTH: M O N T H;
DAY: D A Y;
HOUR: H O U R;
MINUTE: M I N U T E;
SECOND: S E C O N D;
MILLISECOND: M I L L I S E C O N D;
YEARS: Y E A R S;
MONTHS: M O N T H S;
DAYS: D A Y S;
HOURS: H O U R S;
MINUTES: M I N U T E S;
SECONDS: S E C O N D S;
MILLISECONDS: M I L L I S E C O N D S;
ZONE: Z O N E;
TUMBLING: T U M B L I N G;
HOPPING: H O P P I N G;
SLIDING: S L I D I N G;
SIZE: S I Z E;
ADVANCE: A D V A N C E;
RETENTION: R E T E N T I O N;
GRACE: G R A C E;
PERIOD: P E R I O D;
CASE: C A S E;
WHEN: W H E N;
THEN: T H E N;
ELSE: E L S E;
END: E N D;
JOIN: J O I N;
FULL: F U L L;
OUTER: O U T E R;
INNER: I N N E R;
LEFT: L E F T;
RIGHT: R I G H T;
ON: O N;
PARTITION: P A R T I T I O N;
STRUCT: S T R U C T;
WITH: W I T H;
VALUES: V A L U E S;
CREATE: C R E A T E;
TABLE: T A B L E;
TOPIC: T O P I C;
STREAM: S T R E A M;
STREAMS: S T R E A M S;
INSERT: I N S E R T;
DESCRIBE: D E S C R I B E;
EXTENDED: E X T E N D E D;
LIST: L I S T;
TOPICS: T O P I C S;
QUERIES: Q U E R I E S;
TERMINATE: T E R M I N A T E;
PAUSE: P A U S E;
RESUME: R E S U M E;
INTO: I N T O;
CAST: C A S T;
SHOW: S H O W;
TABLES: T A B L E S;
COLUMNS: C O L U M N S;
COLUMN: C O L U M N;
PARTITIONS: P A R T I T I O N S;
FUNCTIONS: F U N C T I O N S;
FUNCTION: F U N C T I O N;
ARRAY: A R R A Y;
MAP: M A P;
SET: S E T;
DEFINE: D E F I N E;
UNDEFINE: U N D E F I N E;
RESET: R E S E T;
UNSET: U N S E T;
SESSION: S E S S I O N;
SAMPLE: S A M P L E;
EXPLAIN: E X P L A I N;
ANALYZE: A N A L Y Z E;
TYPE: T Y P E;
TYPES: T Y P E S;
PRINT: P R I N T;
BEGINNING: B E G I N N I N G;
PROPERTIES: P R O P E R T I E S;
VARIABLES: V A R I A B L E S;
DROP: D R O P;
DELETE: D E L E T E;
IF: I F;
SOURCE: S O U R C E;
SINK: S I N K;
PRIMARY: P R I M A R Y;
REPLACE: R E P L A C E;
ASSERT: A S S E R T;
KEY: K E Y;
HEADERS: H E A D E R S;
HEADER: H E A D E R;
DECIMAL: D E C I M A L;
KW_STRING: S T R I N G;
ADD: A D D;
ALTER: A L T E R;

EQ: '=';
NEQ: '<>' | '!=';
LT: '<';
LTE: '<=';
GT: '>';
GTE: '>=';
PLUS: '+';
MINUS: '-';
ASTERISK: '*';
SLASH: '/';
PERCENT: '%';
CONCAT: '||';
ASSIGN: ':=';
STRUCT_FIELD_REF: '->';
LAMBDA: '=>';
LPAREN: '(';
RPAREN: ')';
LBRACKET: '[';
RBRACKET: ']';
COMMA: ',';
DOT: '.';
SEMICOLON: ';';

STRING
    : '\'' ( ~'\'' | '\'\'' )* '\''
    ;

INTEGER_VALUE
    : DIGIT+
    ;

DECIMAL_VALUE
    : DIGIT+ '.' DIGIT*
    | '.' DIGIT+
    ;

FLOATING_POINT_VALUE
    : DIGIT+ ('.' DIGIT*)? EXPONENT
    | '.' DIGIT+ EXPONENT
    ;

IDENTIFIER
    : (LETTER | '_') (LETTER | DIGIT | '_' | '@')*
    ;

DIGIT_IDENTIFIER
    : DIGIT (LETTER | DIGIT | '_' | '@')+
    ;

QUOTED_IDENTIFIER
    : '"' ( ~'"' | '""' )* '"'
    ;

BACKQUOTED_IDENTIFIER
    : '`' ( ~'`' | '``' )* '`'
    ;

VARIABLE
    : '${' IDENTIFIER '}'
    ;

fragment EXPONENT: [eE] [+-]? DIGIT+;
fragment DIGIT: [0-9];
fragment LETTER: [a-zA-Z];
fragment A: [aA]; fragment B: [bB]; fragment C: [cC]; fragment D: [dD]; fragment E: [eE];
fragment F: [fF]; fragment G: [gG]; fragment H: [hH]; fragment I: [iI]; fragment J: [jJ];
fragment K: [kK]; fragment L: [lL]; fragment M: [mM]; fragment N: [nN]; fragment O: [oO];
fragment P: [pP]; fragment Q: [qQ]; fragment R: [rR]; fragment S: [sS]; fragment T: [tT];
fragment U: [uU]; fragment V: [vV]; fragment W: [wW]; fragment X: [xX]; fragment Y: [yY];
fragment Z: [zZ];

SIMPLE_COMMENT
    : '--' ~[\r\n]* '\r'? '\n'? -> channel(HIDDEN)
    ;

BRACKETED_COMMENT
    : '/*' .*? '*/' -> channel(HIDDEN)
    ;

WS
    : [ \r\n\t]+ -> channel(HIDDEN)
    ;

UNRECOGNIZED
    : .
    ;
