// Package vtl implements the Velocity Template Language as Amazon API Gateway
// runs it for mapping templates: Apache Velocity 1.7 semantics over Java-like
// values, with API Gateway's rule that null references render as nothing.
// Package vtl/apigw binds $input, $util, $context and $stageVariables.
//
// # Use
//
// Parse a template once and render it any number of times, concurrently:
//
//	t, err := vtl.Parse("request.vtl", src)
//	out, err := t.Render(nil, env, vtl.Limits{})
//
// Errors from both carry name:line:col. Rendering never panics on any
// template or input; a runtime error (a Java exception in Velocity) fails
// the render.
//
// # Language
//
// References $x, ${x}, $!x, properties ($m.key, Java getters, Map.get),
// method calls, indexes ($l[0], $l[-1], $m["k"]); string literals with
// interpolation ("...") and without ('...'), integers, floats, booleans,
// lists [a, b], ranges [1..n], maps {"k": v}; + - * / %, == != < > <= >= and
// eq ne lt gt le ge, && || ! and and or not; #set, #if/#elseif/#else/#end,
// #foreach with $foreach.index/count/hasNext/first/last/parent and
// $velocityCount/$velocityHasNext, #break, #stop, #define; ## and #* *#
// comments, #[[ ]]# text blocks; \$ and \# escapes; #{if}-style braces.
//
// The lexer follows Velocity 1.7's JavaCC grammar, so whitespace behaves as
// there: a directive's closing parenthesis, #else and #end eat the blanks
// and the one newline that follow them; blanks before #set are eaten when
// they start a token (after another directive, a reference or a comment) but
// belong to the text otherwise; indentation before every other directive is
// written. ## comments eat their newline.
//
// Values are modelled on the Java classes a template sees: String, Integer
// and Long, Double, BigInteger, Boolean, ArrayList (rendered [a, b]),
// LinkedHashMap (rendered {k=v, k2=v2}), the JSON arrays of Jayway JsonPath
// (rendered as compact JSON) and String[] from split. The String, Map, List
// and Number methods templates use are provided with Java's semantics,
// including UTF-16 indexes and the exceptions Java throws. Regular
// expressions use Java syntax, translated to Go's RE2.
//
// # Choices where Velocity or API Gateway differ from stock behaviour
//
//   - A null reference renders as nothing (API Gateway), never as its
//     source text; $!x is therefore the same as $x.
//   - null == null, null == "" and "" == null are true (API Gateway, reference
//     E4); otherwise == follows Velocity 1.7: numbers by value, objects of one
//     class by equals(), anything else by toString().
//   - #set with a null value leaves the target unchanged (Velocity 1.7 with
//     directive.set.null.allowed=false).
//   - A condition is true for any non-null reference except Boolean false
//     (an empty string is true); literals other than true are false.
//   - A #foreach stops silently after Limits.MaxIterations iterations
//     (API Gateway: 1000), as Velocity's directive.foreach.maxloops does.
//   - #macro is rejected when parsing (API Gateway blocks macros); #include,
//     #parse, #evaluate and #literal are rejected too. A directive Velocity
//     does not know renders as written, as an undefined macro call does.
//   - An escaped reference \$x renders $x when x has a value and \$x when it
//     is null (Velocity 1.7); "a" + $null concatenates the source text
//     "$null" (Velocity 1.7's ASTAddNode).
//   - #break outside a loop or #define stops the template, as in Velocity 1.7.
//
// # Known differences from AWS
//
//   - Map keys are strings: {1: "a"} stores the key "1", so $m.get("1")
//     finds what Java would only find with $m.get(1).
//   - List.remove with an Integer argument removes by index (Velocity's
//     overload resolution is ambiguous there).
//   - Doubles print with the shortest round-tripping digits (Java 19 and
//     later); floatValue() returns a double.
//   - Java regex features RE2 lacks (lookaround, backreferences, possessive
//     and atomic groups, class intersection) fail the render; possessive
//     quantifiers are treated as greedy.
//   - toString of Java objects that print an identity hash (String[],
//     $foreach) prints a hash derived from the contents instead.
//   - A #stop or #break inside a string literal or a #define block used as a
//     value ends the enclosing statement's rendering only partly: the value
//     still completes.
//
// # Limits
//
// Limits bound iterations per loop, evaluation steps, output size (also the
// longest string a template may build), memory created by the template and
// render nesting; the parser bounds nesting depth. No template can reach
// files, the environment, processes or Go methods: host values are reached
// only through the Object interface.
package vtl
