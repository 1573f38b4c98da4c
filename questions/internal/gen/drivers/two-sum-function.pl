use strict;
use warnings;

# The driver reads the test, calls the learner's two_sum (solution.pl, beside
# this file) and prints the indices it returns.
use FindBin;

do "$FindBin::Bin/solution.pl";
die $@ if $@;
defined &two_sum or die "solution.pl must define the sub two_sum(\$nums, \$target)\n";

my @data = split ' ', do { local $/; <STDIN> };
my ($n, $target) = @data[0, 1];
my @nums = @data[2 .. $n + 1];
my $result = two_sum(\@nums, $target) // [];
# The indices may come in any order: print them sorted.
print join(' ', sort { $a <=> $b } @$result), "\n";
