use strict;
use warnings;

my $k = <STDIN>;
my $text = do { local $/; <STDIN> } // '';
# TODO: count the words of $text (runs of letters, ignoring case) in %counts
# and print the $k most frequent ones, one "word count" per line.
my %counts;
my @words = keys %counts;
for my $word (@words[0 .. ($k < @words ? $k : @words) - 1]) {
    print "$word $counts{$word}\n";
}
